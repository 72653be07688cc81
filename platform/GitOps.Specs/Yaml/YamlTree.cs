using GitOps.Specs.Diagnostics;

namespace GitOps.Specs.Yaml;

/// <summary>Where a node is, kept inside the node (a spec file has hundreds of nodes, most never reported on).</summary>
internal readonly record struct YSpan(string File, int Line, int Column, int EndLine, int EndColumn)
{
    public static implicit operator YSpan(SourceSpan s) => new(s.File, s.Line, s.Column, s.EndLine, s.EndColumn);
}

/// <summary>A parsed YAML node with its span. Aliases stay shared (never copied); their expanded size is bounded.</summary>
internal abstract class YNode(YSpan place)
{
    /// <summary>Where the node is.</summary>
    public YSpan Place { get; set; } = place;

    /// <summary>Where the node is, as a diagnostic's span (a new object on each call).</summary>
    public SourceSpan Span => new(Place.File, Place.Line, Place.Column, Place.EndLine, Place.EndColumn);

    /// <summary>Nodes this node stands for once every alias is expanded (itself included).</summary>
    public long ExpandedSize { get; set; } = 1;

    /// <summary>Levels of nesting below and including this node once every alias is expanded.</summary>
    public int ExpandedHeight { get; set; } = 1;

    /// <summary>The node an alias points to; the node itself otherwise.</summary>
    public virtual YNode Resolved => this;

    /// <summary>Sets <see cref="ExpandedSize"/> and <see cref="ExpandedHeight"/> of a finished mapping or sequence from its children.</summary>
    public void MeasureExpansion()
    {
        long size = 1;
        var height = 0;
        if (this is YMapping map)
        {
            foreach (var entry in map.Entries)
            {
                size += entry.Key.ExpandedSize + entry.Value.ExpandedSize;
                height = Math.Max(height, entry.Value.ExpandedHeight);
            }
        }
        else if (this is YSequence sequence)
        {
            foreach (var item in sequence.Items)
            {
                size += item.ExpandedSize;
                height = Math.Max(height, item.ExpandedHeight);
            }
        }
        ExpandedSize = size;
        ExpandedHeight = height + 1;
    }
}

internal sealed class YScalar(YSpan place, string text, object? value, bool isPlain) : YNode(place)
{
    /// <summary>The scalar text as written (after YAML unescaping).</summary>
    public string Text { get; } = text;

    /// <summary>The YAML 1.2 core-schema value: string, long, double, bool or null.</summary>
    public object? Value { get; } = value;

    public bool IsPlain { get; } = isPlain;
}

internal sealed class YSequence(YSpan place) : YNode(place)
{
    public List<YNode> Items { get; } = [];
}

internal sealed class YMapping(YSpan place) : YNode(place)
{
    public List<YEntry> Entries { get; } = [];

    public YEntry? Find(string key)
    {
        foreach (var e in Entries)
        {
            if (e.Key.Text == key)
            {
                return e;
            }
        }
        return null;
    }

    public YNode? Get(string key) => Find(key)?.Value.Resolved;
}

internal sealed record YEntry(YScalar Key, YNode Value);

internal sealed class YAlias(YSpan place, YNode target) : YNode(place)
{
    public YNode Target { get; } = target;

    public override YNode Resolved => Target.Resolved;
}

/// <summary>One YAML document of a file: its 0-based index, start span and root node.</summary>
internal sealed record YDocument(int Index, SourceSpan Span, YNode Root, bool Failed);

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

    /// <summary>Nodes this node stands for once every alias is expanded (itself included): 1 for a scalar.</summary>
    public virtual long ExpandedSize => 1;

    /// <summary>Levels of nesting below and including this node once every alias is expanded: 1 for a scalar.</summary>
    public virtual int ExpandedHeight => 1;

    /// <summary>The node an alias points to; the node itself otherwise.</summary>
    public virtual YNode Resolved => this;

    /// <summary>Sets <see cref="ExpandedSize"/> and <see cref="ExpandedHeight"/> of a finished mapping or sequence from
    /// its children (a scalar has nothing to measure).</summary>
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
        if (this is YExpandable expandable)
        {
            expandable.Expands(size, height + 1);
        }
    }
}

/// <summary>A node that can stand for more than itself: a collection, or an alias of one. Scalars, most of a tree,
/// keep no measure.</summary>
internal abstract class YExpandable(YSpan place) : YNode(place)
{
    private long _size = 1;
    private int _height = 1;

    public override long ExpandedSize => _size;

    public override int ExpandedHeight => _height;

    public void Expands(long size, int height)
    {
        _size = size;
        _height = height;
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

internal sealed class YSequence(YSpan place) : YExpandable(place)
{
    public List<YNode> Items { get; } = [];
}

internal sealed class YMapping(YSpan place) : YExpandable(place)
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

internal readonly record struct YEntry(YScalar Key, YNode Value);

internal sealed class YAlias : YExpandable
{
    /// <summary>An alias of <paramref name="target"/>, standing for as much as it does.</summary>
    public YAlias(YSpan place, YNode target)
        : base(place)
    {
        Target = target;
        Expands(target.ExpandedSize, target.ExpandedHeight);
    }

    public YNode Target { get; }

    public override YNode Resolved => Target.Resolved;
}

/// <summary>One YAML document of a file: its 0-based index, start span and root node.</summary>
internal sealed record YDocument(int Index, SourceSpan Span, YNode Root, bool Failed);

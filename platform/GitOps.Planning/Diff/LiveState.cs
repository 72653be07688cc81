using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using GitOps.Planning.Rendering;
using GitOps.Specs.Diagnostics;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace GitOps.Planning.Diff;

/// <summary>Objects read from a live-state document, and what could not be read.</summary>
public sealed record LiveStateResult(ImmutableArray<JsonObject> Objects, ImmutableArray<Diagnostic> Diagnostics)
{
    public bool HasErrors => Diagnostics.Any(d => d.IsError);
}

/// <summary>
/// Reads observed objects from YAML text such as <c>kubectl get -o yaml</c> output: several documents separated by
/// <c>---</c>, and <c>kind: List</c> documents whose <c>items</c> are the objects. Scalars follow the YAML 1.2 core
/// schema (quoted scalars are always strings). Pure: the caller reads the file.
/// </summary>
public static partial class LiveState
{
    /// <summary>Guards against alias expansion bombs: no live state legitimately has this many nodes.</summary>
    private const int MaxNodes = 20_000_000;

    public static LiveStateResult Parse(string yaml, string sourceName = "live-state")
    {
        var objects = ImmutableArray.CreateBuilder<JsonObject>();
        var diagnostics = ImmutableArray.CreateBuilder<Diagnostic>();
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(yaml));
        }
        catch (YamlException e)
        {
            diagnostics.Add(new Diagnostic(PlanningDiagnostics.InvalidLiveState, Severity.Error,
                new SourceSpan(sourceName, (int)e.Start.Line, (int)e.Start.Column, (int)e.End.Line, (int)e.End.Column),
                $"live state is not valid YAML: {e.Message}", "pass the output of 'kubectl get -o yaml'"));
            return new LiveStateResult([], diagnostics.ToImmutable());
        }
        var budget = MaxNodes;
        foreach (var document in stream.Documents)
        {
            var root = document.RootNode;
            if (root is YamlScalarNode { Value: null or "" })
            {
                continue;
            }
            var span = new SourceSpan(sourceName, (int)root.Start.Line, (int)root.Start.Column, (int)root.End.Line, (int)root.End.Column);
            JsonNode? node;
            try
            {
                node = Convert(root, ref budget);
            }
            catch (InvalidOperationException e)
            {
                diagnostics.Add(new Diagnostic(PlanningDiagnostics.InvalidLiveState, Severity.Error, span, e.Message));
                return new LiveStateResult([], diagnostics.ToImmutable());
            }
            if (node is not JsonObject obj)
            {
                diagnostics.Add(new Diagnostic(PlanningDiagnostics.InvalidLiveState, Severity.Error, span,
                    "a live-state document must be a Kubernetes object (a mapping)"));
                continue;
            }
            var kind = obj["kind"] is JsonValue k && k.TryGetValue<string>(out var ks) ? ks : null;
            if (kind is not null && kind.EndsWith("List", StringComparison.Ordinal) && obj["items"] is JsonArray items)
            {
                foreach (var item in items.ToList())
                {
                    items.Remove(item);
                    Add(item, span);
                }
                continue;
            }
            Add(obj, span);
        }
        return new LiveStateResult(objects.ToImmutable(), diagnostics.ToImmutable());

        void Add(JsonNode? node, SourceSpan span)
        {
            if (node is JsonObject o && o["apiVersion"] is JsonValue && o["kind"] is JsonValue && o["metadata"]?["name"] is JsonValue)
            {
                objects.Add(o);
                return;
            }
            diagnostics.Add(new Diagnostic(PlanningDiagnostics.InvalidLiveState, Severity.Error, span,
                "object without apiVersion, kind or metadata.name", "every live object needs apiVersion, kind and metadata.name"));
        }
    }

    private static JsonNode? Convert(YamlNode node, ref int budget)
    {
        if (--budget < 0)
        {
            throw new InvalidOperationException("live state is too large (alias expansion?)");
        }
        switch (node)
        {
            case YamlMappingNode map:
                var obj = new JsonObject();
                foreach (var (key, value) in map.Children)
                {
                    var name = key is YamlScalarNode s ? s.Value ?? "" : key.ToString();
                    obj[name] = Convert(value, ref budget);
                }
                return obj;
            case YamlSequenceNode seq:
                var array = new JsonArray();
                foreach (var item in seq.Children)
                {
                    array.Add(Convert(item, ref budget));
                }
                return array;
            case YamlScalarNode scalar:
                return Scalar(scalar);
            default:
                return null;
        }
    }

    private static JsonNode? Scalar(YamlScalarNode scalar)
    {
        var text = scalar.Value ?? "";
        if (scalar.Style is ScalarStyle.SingleQuoted or ScalarStyle.DoubleQuoted or ScalarStyle.Literal or ScalarStyle.Folded)
        {
            return JsonValue.Create(text);
        }
        if (text is "" or "~" or "null" or "Null" or "NULL")
        {
            return null;
        }
        if (text is "true" or "True" or "TRUE")
        {
            return JsonValue.Create(true);
        }
        if (text is "false" or "False" or "FALSE")
        {
            return JsonValue.Create(false);
        }
        if (IntPattern().IsMatch(text) && long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l))
        {
            return JsonValue.Create(l);
        }
        if (FloatPattern().IsMatch(text) && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d))
        {
            return JsonValue.Create(d);
        }
        return JsonValue.Create(text);
    }

    [GeneratedRegex(@"^[-+]?[0-9]+$")]
    private static partial Regex IntPattern();

    [GeneratedRegex(@"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")]
    private static partial Regex FloatPattern();
}

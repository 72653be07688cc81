using System.Collections.Immutable;
using System.Text.Json.Nodes;
using GitOps.Planning.Rendering;

namespace GitOps.Planning.Formatting;

/// <summary>A file to write: a path relative to the output folder and its content.</summary>
public sealed record OutputFile(string Path, string Content);

/// <summary>Turns a render result into manifests: one file per object, or one multi-document stream.</summary>
public static class RenderOutput
{
    /// <summary>Files named <c>&lt;environment&gt;/&lt;kind&gt;-&lt;name&gt;.yaml</c>, in object order.</summary>
    public static ImmutableArray<OutputFile> Files(RenderResult result) =>
        [.. result.Objects.Select(o =>
        {
            var key = ObjectKeys.Of(o);
            return new OutputFile($"{result.Environment}/{key.Kind.ToLowerInvariant()}-{key.Name}.yaml", YamlWriter.Write(o));
        })];

    /// <summary>Every object as one YAML stream, documents separated by <c>---</c>.</summary>
    public static string Stream(RenderResult result) => YamlWriter.WriteStream(result.Objects.Cast<JsonNode>());
}

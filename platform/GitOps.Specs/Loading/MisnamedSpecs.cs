using GitOps.Specs.Diagnostics;

namespace GitOps.Specs;

/// <summary>
/// Files under a spec folder that a spec may have been written in under a name the loader does not read: a
/// <c>*.json</c> file (JSON is YAML, but only <c>*.yaml</c> and <c>*.yml</c> are read). One that looks like a spec, with
/// <c>"apiVersion"</c> and <c>"kind"</c> keys, is reported (GITOPS0021, a warning): otherwise the spec would be left
/// out without a word, and what it deploys pruned. Other JSON beside the specs (a sample request, a feature list) is
/// no business of the loader and is left alone, as are prose, code and CI files.
/// </summary>
public static class MisnamedSpecs
{
    /// <summary>The largest file looked into, in bytes (the default limit of a spec file): a larger one is data.</summary>
    public const long LargestLooked = 1024 * 1024;

    /// <summary>True when a file at <paramref name="path"/> could hold a spec the loader does not read.</summary>
    public static bool MayBeOne(string path) => RepositoryFiles.HasExtension(path, Json);

    /// <summary>The warning for <paramref name="file"/> (<see cref="MayBeOne"/>) when it looks like a spec.</summary>
    internal static Diagnostic? Check(SourceFile file)
    {
        var content = file.Content.AsSpan();
        if (content.Length > LargestLooked || content.IndexOf("\"apiVersion\""u8) < 0 || content.IndexOf("\"kind\""u8) < 0)
        {
            return null;
        }
        var renamed = file.Path[..^Json.Length] + ".yaml";
        return new Diagnostic(DiagnosticIds.SpecNotRead, Severity.Warning, SourceSpan.StartOf(file.Path),
            "this file looks like a spec but is not read: only .yaml and .yml files are",
            $"rename it to '{renamed}': JSON is valid YAML");
    }

    private const string Json = ".json";
}

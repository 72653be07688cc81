using GitOps.Specs.Diagnostics;
using GitOps.Specs.Model;

namespace GitOps.Specs;

/// <summary>
/// Everything the specs layer checks: <see cref="SpecLoader.Load"/> (YAML, header, JSON Schema) then
/// <see cref="SemanticChecker.Check"/>. The policy layer adds its own checks on top of this result.
/// </summary>
public static class SpecValidator
{
    public static LoadResult Validate(IEnumerable<SourceFile> files) => Validate(files, null);

    public static LoadResult Validate(IEnumerable<SourceFile> files, LoaderLimits? limits) => Validate(files, limits, null);

    /// <summary>
    /// <see cref="Validate(IEnumerable{SourceFile}, LoaderLimits?)"/> with the checks of another layer
    /// (<paramref name="alongside"/>) run over the loaded specs on another core while the semantic checks run: both only
    /// read the specs and add diagnostics, so the result is the same as one after the other.
    /// </summary>
    public static LoadResult Validate(IEnumerable<SourceFile> files, LoaderLimits? limits, Func<SpecSet, IEnumerable<Diagnostic>>? alongside)
    {
        var loaded = SpecLoader.Load(files, limits);
        var other = alongside is null ? null : Task.Run(() => alongside(loaded.Specs).ToList());
        var semantic = SemanticChecker.Check(loaded.Specs);
        return loaded.With(other is null ? semantic : semantic.Concat(other.GetAwaiter().GetResult()));
    }
}

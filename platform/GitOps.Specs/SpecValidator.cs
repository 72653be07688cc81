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
        return loaded.With(Check(loaded.Specs, alongside));
    }

    /// <summary>
    /// <see cref="Validate(IEnumerable{SourceFile}, LoaderLimits?, Func{SpecSet, IEnumerable{Diagnostic}}?)"/> for a
    /// caller that keeps only the models <paramref name="chunks"/> names: a large commit is validated a part at a time
    /// (<see cref="ValidationChunks"/>), with the same diagnostics, and the specs of the other models are let go as
    /// soon as their part is checked. Null <paramref name="chunks"/>: validated whole, every spec kept.
    /// </summary>
    public static LoadResult Validate(IEnumerable<SourceFile> files, LoaderLimits? limits, Func<SpecSet, IEnumerable<Diagnostic>>? alongside,
        ValidationChunks? chunks)
    {
        if (chunks is null)
        {
            return Validate(files, limits, alongside);
        }
        var list = files as List<SourceFile> ?? [.. files];
        return chunks.TryValidate(list, limits ?? LoaderLimits.Default, alongside) ?? Validate(list, limits, alongside);
    }

    /// <summary>The semantic checks and <paramref name="alongside"/> over loaded specs, the two on different cores.</summary>
    internal static IEnumerable<Diagnostic> Check(SpecSet specs, Func<SpecSet, IEnumerable<Diagnostic>>? alongside)
    {
        var other = alongside is null ? null : Task.Run(() => alongside(specs).ToList());
        var semantic = SemanticChecker.Check(specs);
        return other is null ? semantic : semantic.Concat(other.GetAwaiter().GetResult());
    }
}

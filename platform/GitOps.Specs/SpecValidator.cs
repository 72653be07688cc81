
namespace GitOps.Specs;

/// <summary>
/// Everything the specs layer checks: <see cref="SpecLoader.Load"/> (YAML, header, JSON Schema) then
/// <see cref="SemanticChecker.Check"/>. The policy layer adds its own checks on top of this result.
/// </summary>
public static class SpecValidator
{
    public static LoadResult Validate(IEnumerable<SourceFile> files) => Validate(files, null);

    public static LoadResult Validate(IEnumerable<SourceFile> files, LoaderLimits? limits)
    {
        var loaded = SpecLoader.Load(files, limits);
        return loaded.With(SemanticChecker.Check(loaded.Specs));
    }
}

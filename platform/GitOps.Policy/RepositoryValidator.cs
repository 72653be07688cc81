using GitOps.Specs;

namespace GitOps.Policy;

/// <summary>
/// Everything <c>gitops validate</c> checks: <see cref="SpecValidator"/> (YAML, schema, semantic references) then
/// <see cref="PolicyChecks"/> (expressions, built-in rules, Policy documents) over the specs that loaded.
/// Diagnostics are sorted by file, line, column and ID; the result is deterministic.
/// </summary>
public static class RepositoryValidator
{
    public static LoadResult Validate(IEnumerable<SourceFile> files)
    {
        var specs = SpecValidator.Validate(files);
        return specs with { Diagnostics = PolicyChecks.Sort(specs.Diagnostics.Concat(PolicyChecks.Check(specs.Specs))) };
    }
}

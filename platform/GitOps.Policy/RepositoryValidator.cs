using GitOps.Policy.Expressions;
using GitOps.Policy.Policies;
using GitOps.Specs;

namespace GitOps.Policy;

/// <summary>
/// Everything <c>gitops validate</c> checks: what <see cref="SpecValidator"/> checks (YAML, schema, semantic
/// references) and <see cref="PolicyChecks"/> (expressions, built-in rules, Policy documents) over the specs that
/// loaded. Diagnostics are sorted by file, line, column and ID; the result is deterministic.
/// </summary>
public static class RepositoryValidator
{
    public static LoadResult Validate(IEnumerable<SourceFile> files) => Validate(files, null);

    /// <summary><see cref="Validate(IEnumerable{SourceFile})"/> under <paramref name="limits"/> (null: the defaults).</summary>
    public static LoadResult Validate(IEnumerable<SourceFile> files, LoaderLimits? limits) => Validate(files, limits, null);

    /// <summary>
    /// <see cref="Validate(IEnumerable{SourceFile}, LoaderLimits?)"/> for a caller that keeps only the models
    /// <paramref name="chunks"/> names (a reconciler shard): a large commit is checked a part at a time, with the
    /// same diagnostics, and only those models and the documents outside <c>models/</c> are in the result's specs
    /// (<see cref="ValidationChunks"/>). Null: every spec kept.
    /// </summary>
    public static LoadResult Validate(IEnumerable<SourceFile> files, LoaderLimits? limits, ValidationChunks? chunks)
    {
        // The expression engine starts on another core while the files are read (in a fresh process its first use
        // costs a few hundred milliseconds). Nothing waits for it: a check that needs it first waits for its start.
        _ = Task.Run(CelExpressions.WarmUp);
        // Policies are loaded first, and the other documents' views along the fields they read built at load.
        var withViews = (limits ?? LoaderLimits.Default) with { PolicyViews = PolicyEvaluator.FieldsRead };
        var result = SpecValidator.Validate(files, withViews, specs => PolicyChecks.Check(specs), chunks);
        return result with { Diagnostics = PolicyChecks.Sort(result.Diagnostics) };
    }
}

using GitOps.Policy.Expressions;
using GitOps.Specs;

namespace GitOps.Policy;

/// <summary>
/// Everything <c>gitops validate</c> checks: what <see cref="SpecValidator"/> checks (YAML, schema, semantic
/// references) and <see cref="PolicyChecks"/> (expressions, built-in rules, Policy documents) over the specs that
/// loaded. Diagnostics are sorted by file, line, column and ID; the result is deterministic.
/// </summary>
public static class RepositoryValidator
{
    public static LoadResult Validate(IEnumerable<SourceFile> files)
    {
        // The expression engine starts on another core while the files are read (in a fresh process its first use
        // costs a few hundred milliseconds).
        var warmUp = Task.Run(CelExpressions.WarmUp);
        var loaded = SpecLoader.Load(files, null);
        // The semantic checks and the policy checks read the same loaded specs and only add diagnostics: they run
        // side by side, and the result is the same as one after the other.
        var policies = Task.Run(() =>
        {
            warmUp.GetAwaiter().GetResult();
            return PolicyChecks.Check(loaded.Specs);
        });
        var semantic = SemanticChecker.Check(loaded.Specs);
        return loaded with { Diagnostics = PolicyChecks.Sort(loaded.Diagnostics.Concat(semantic).Concat(policies.GetAwaiter().GetResult())) };
    }
}

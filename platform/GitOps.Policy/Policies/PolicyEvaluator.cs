using System.Collections.Immutable;
using GitOps.Policy.Expressions;
using GitOps.Specs.Diagnostics;
using GitOps.Specs.Model;

namespace GitOps.Policy.Policies;

/// <summary>
/// Evaluates the rules of every <c>kind: Policy</c> document against the objects they match (GITOPS0501–0503).
/// Each expression is compiled once; each object's data is built once per environment and shared by all rules.
/// </summary>
public static class PolicyEvaluator
{
    public static ImmutableArray<Diagnostic> Evaluate(SpecSet specs) => Evaluate(specs, Environment.ProcessorCount);

    /// <summary>
    /// Targets are evaluated in consecutive ranges, one per worker (at most <paramref name="workers"/>, and only for
    /// repositories large enough to be worth it), each with its own documents and memo; the ranges' diagnostics are
    /// joined in target order, so the result does not depend on the number of workers or on scheduling.
    /// </summary>
    internal static ImmutableArray<Diagnostic> Evaluate(SpecSet specs, int workers) => Evaluate(specs, workers, wholeDocuments: false);

    /// <param name="wholeDocuments">Build every object's whole document even when the rules read only some fields
    /// (<see cref="ObjectPathsRead"/>): the result must not depend on it.</param>
    internal static ImmutableArray<Diagnostic> Evaluate(SpecSet specs, int workers, bool wholeDocuments)
    {
        var rules = RulesOf(specs.Policies);
        if (rules.Count == 0)
        {
            return [];
        }
        var along = wholeDocuments ? null : ObjectPathsRead(rules.SelectMany(p => p.Rules).Select(r => r.Compiled.Shape));
        var targets = PolicyTarget.All(specs).ToList();
        // A few ranges per worker: the ranges do not cost the same (a worker's memo answers most of its range once it
        // has seen a few objects, and the other checks share the cores), so a worker that is done takes the next one.
        var parallel = Math.Max(1, Math.Min(workers, targets.Count / MinTargetsPerWorker));
        var ranges = parallel == 1 ? 1 : parallel * RangesPerWorker;
        var size = (targets.Count + ranges - 1) / ranges;
        var found = new List<Diagnostic>[ranges];
        Parallel.For(0, ranges, new ParallelOptions { MaxDegreeOfParallelism = parallel },
            r => found[r] = EvaluateRange(targets, r * size, Math.Min(targets.Count, (r + 1) * size), rules, along));
        // A rule that is not a boolean is reported once, for the first target it was evaluated for.
        var diagnostics = ImmutableArray.CreateBuilder<Diagnostic>();
        var notBoolean = new HashSet<SourceSpan>();
        foreach (var d in found.SelectMany(f => f))
        {
            if (d.Id != PolicyRuleIds.PolicyResultNotBoolean || notBoolean.Add(d.Span))
            {
                diagnostics.Add(d);
            }
        }
        return diagnostics.ToImmutable();
    }

    /// <summary>The rules of <paramref name="policies"/> that can be evaluated (their expression compiles and checks),
    /// by policy; policies with none are left out.</summary>
    private static List<(PolicySpec Policy, List<IndexedRule> Rules)> RulesOf(IEnumerable<PolicySpec> policies) =>
        [.. policies
            .Select(p => (Policy: p, Rules: p.Spec.Rules.Select((r, i) => new IndexedRule(r, i, CelExpressions.Compile(r.Expression)))
                .Where(r => CelExpressions.Check(r.Rule.Expression, ExpressionChecks.PolicyVariables) is null)
                .ToList()))
            .Where(p => p.Rules.Count > 0)];

    /// <summary>
    /// The fields of <c>object</c> that <paramref name="policies"/> read, as <see cref="Evaluate(SpecSet)"/> builds
    /// each document along them; null when they read a document whole or have no rule to evaluate. It is the
    /// loader's <see cref="LoaderLimits.PolicyViews"/>: the views are then built at load, from the tree in hand.
    /// </summary>
    public static FieldPaths? FieldsRead(IReadOnlyList<PolicySpec> policies) =>
        RulesOf(policies) is { Count: > 0 } rules ? ObjectPathsRead(rules.SelectMany(p => p.Rules).Select(r => r.Compiled.Shape)) : null;

    /// <summary>Below this many targets per worker, evaluating on one thread is as fast as starting more.</summary>
    private const int MinTargetsPerWorker = 256;

    private const int RangesPerWorker = 4;

    /// <summary>
    /// The fields of <c>object</c> the rules read, when every rule reads it through field selections only (as the
    /// evaluation memo assumes): each object's document is then built along those fields, plus the environment
    /// overrides that make a model's effective spec and locate its findings. Null, for the whole document, when a rule
    /// uses <c>object</c> whole or binds that name in a macro. (A <c>has(…)</c> argument is a selection too.)
    /// </summary>
    internal static FieldPaths? ObjectPathsRead(IEnumerable<ExpressionShape> shapes)
    {
        var paths = new List<IReadOnlyList<string>> { (string[])["spec", "overrides"] };
        foreach (var shape in shapes)
        {
            if (shape.BareVariables.Contains(Object) || shape.BoundNames.Contains(Object))
            {
                return null;
            }
            foreach (var selection in shape.Selections)
            {
                if (selection[0] == Object)
                {
                    if (selection.Length == 1)
                    {
                        return null;
                    }
                    paths.Add(selection[1..]);
                }
            }
        }
        return FieldPaths.Of(paths);
    }

    private const string Object = "object";

    private static List<Diagnostic> EvaluateRange(List<PolicyTarget> targets, int from, int to,
        List<(PolicySpec Policy, List<IndexedRule> Rules)> rules, FieldPaths? along)
    {
        // Each object's document is built once. The targets of one object come one after another (a model once per
        // environment it is served in) and environments are few, kept in a short list: no object is hashed by
        // identity, which cost more than building the documents in a repository of thousands of models.
        SpecObject? current = null;
        Dictionary<string, object?>? currentDocument = null;
        var environments = new List<(EnvironmentSpec Spec, Dictionary<string, object?> Document)>();
        Dictionary<string, object?> DocumentOf(SpecObject o)
        {
            if (o is EnvironmentSpec environment)
            {
                foreach (var (spec, document) in environments)
                {
                    if (ReferenceEquals(spec, environment))
                    {
                        return document;
                    }
                }
                var built = PolicyDocuments.Of(environment);
                environments.Add((environment, built));
                return built;
            }
            if (!ReferenceEquals(o, current))
            {
                current = o;
                currentDocument = PolicyDocuments.Of(o, along);
            }
            return currentDocument!;
        }

        var diagnostics = new List<Diagnostic>();
        var notBoolean = new HashSet<(PolicySpec, int)>();
        var memo = new EvaluationMemo();
        for (var i = from; i < to; i++)
        {
            var target = targets[i];
            Dictionary<string, object?>? variables = null;
            foreach (var (policy, policyRules) in rules)
            {
                if (!target.IsMatchedBy(policy))
                {
                    continue;
                }
                variables ??= Variables(target, DocumentOf);
                foreach (var rule in policyRules)
                {
                    var outcome = memo.Evaluate(rule.Compiled, variables);
                    if (Judge(target, policy, rule, outcome, variables, notBoolean) is { } d)
                    {
                        diagnostics.Add(d);
                    }
                }
            }
        }
        return diagnostics;
    }

    private sealed record IndexedRule(PolicyRule Rule, int Index, CompiledExpression Compiled);

    private static Dictionary<string, object?> Variables(PolicyTarget target, Func<SpecObject, Dictionary<string, object?>> documentOf)
    {
        var document = documentOf(target.Object);
        if (target.Object is ModelSpec && target.EnvironmentName is { } env)
        {
            document = PolicyDocuments.Effective(document, env);
        }
        return new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["object"] = document,
            ["environment"] = target.Environment is null ? null : documentOf(target.Environment),
            ["envName"] = target.EnvironmentName,
        };
    }

    private static Diagnostic? Judge(PolicyTarget target, PolicySpec policy, IndexedRule rule, CelOutcome outcome,
        Dictionary<string, object?> variables, HashSet<(PolicySpec, int)> notBoolean)
    {
        // Most outcomes are true: the texts are made only for a finding (tens of thousands of judgements at 2,000 models).
        if (outcome is { Failure: null, Value: true })
        {
            return null;
        }
        var label = target.EnvironmentName is null
            ? $"[policy {policy.Name}/{rule.Rule.Name}]"
            : $"[policy {policy.Name}/{rule.Rule.Name}, environment {target.EnvironmentName}]";
        var subject = target.EnvironmentName is null
            ? $"{target.Object.Kind} '{target.Object.Name}'"
            : $"{target.Object.Kind} '{target.Object.Name}' in environment '{target.EnvironmentName}'";
        if (outcome.Failure is { } failure)
        {
            var hint = failure switch
            {
                { Kind: CelFailureKind.MissingField, Field: { } field, Parent: { } parent } => $"guard optional fields with has({parent}.{field})",
                { Kind: CelFailureKind.MissingField } => "guard optional fields with has(...) and map keys with 'key' in map",
                _ => "fix the rule's expression: compare values of the same type, e.g. int fields with int literals",
            };
            return new Diagnostic(PolicyRuleIds.PolicyEvaluationFailed, Severity.Warning, Locate(target, rule, variables),
                $"rule could not be evaluated for {subject}: {failure.Message} {label}", hint);
        }
        switch (outcome.Value)
        {
            case true:
                return null;
            case false:
                return new Diagnostic(PolicyRuleIds.PolicyViolation, SeverityOf(rule.Rule.Severity), Locate(target, rule, variables),
                    $"{rule.Rule.Message} {label}");
            default:
                if (!notBoolean.Add((policy, rule.Index)))
                {
                    return null;
                }
                var type = outcome.Value?.GetType().Name ?? "null";
                return new Diagnostic(PolicyRuleIds.PolicyResultNotBoolean, Severity.Error,
                    policy.Origin.Value($"spec.rules[{rule.Index}].expression"),
                    $"rule '{rule.Rule.Name}' of Policy '{policy.Name}' evaluated to {type}, not a boolean, for {subject}",
                    "a rule's expression must be true for objects that comply, e.g. compare the value: object.spec.x == 'y'");
        }
    }

    private static Severity SeverityOf(string? severity) => severity?.ToLowerInvariant() switch
    {
        "warning" => Severity.Warning,
        "info" => Severity.Info,
        _ => Severity.Error,
    };

    /// <summary>
    /// The most specific place the rule is about: the deepest field path shared by every <c>object.…</c> selection
    /// of the expression, looked up in the environment's override first for models.
    /// </summary>
    private static SourceSpan Locate(PolicyTarget target, IndexedRule rule, Dictionary<string, object?> variables)
    {
        var origin = target.Object.Origin;
        // kind and apiVersion only pick which objects a rule is about (object.kind != 'Model' || ...).
        var paths = rule.Compiled.Shape.Selections
            .Where(s => s.Length > 1 && s[0] == "object" && !(s.Length == 2 && s[1] is "kind" or "apiVersion"))
            .Select(s => s[1..]).ToList();
        if (paths.Count == 0)
        {
            return origin.DocumentSpan;
        }
        var common = paths[0].ToList();
        foreach (var p in paths.Skip(1))
        {
            var n = 0;
            while (n < common.Count && n < p.Length && common[n] == p[n])
            {
                n++;
            }
            common.RemoveRange(n, common.Count - n);
        }
        if (common.Count == 0)
        {
            return origin.DocumentSpan;
        }
        if (target.Object is ModelSpec && target.EnvironmentName is { } env && OverridePath(common, env, variables) is { } overridePath)
        {
            return origin.Key(overridePath);
        }
        return origin.Key(SpecPaths.Join(common));
    }

    private static string? OverridePath(List<string> path, string env, Dictionary<string, object?> variables)
    {
        if (path.Count < 2 || path[0] != "spec")
        {
            return null;
        }
        foreach (var (key, target) in PolicyDocuments.OverrideTargets)
        {
            if (path.Count - 1 < target.Length || !path.Skip(1).Take(target.Length).SequenceEqual(target))
            {
                continue;
            }
            var rest = path.Skip(1 + target.Length).ToList();
            // Only point into the override when it actually sets the field.
            object? node = variables.GetValueOrDefault("object") is Dictionary<string, object?> o
                           && o.GetValueOrDefault("spec") is Dictionary<string, object?> s
                           && s.GetValueOrDefault("overrides") is Dictionary<string, object?> ovs
                           && ovs.GetValueOrDefault(env) is Dictionary<string, object?> ov
                ? ov.GetValueOrDefault(key)
                : null;
            foreach (var segment in rest)
            {
                node = node is Dictionary<string, object?> d ? d.GetValueOrDefault(segment) : null;
            }
            return node is null ? null : SpecPaths.Join(new[] { "spec", "overrides", env, key }.Concat(rest));
        }
        return null;
    }
}

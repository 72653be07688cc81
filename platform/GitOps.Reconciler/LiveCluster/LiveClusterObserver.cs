using System.Collections.Immutable;
using System.Text.Json.Nodes;
using GitOps.Planning.Cluster;
using GitOps.Planning.Diff;
using GitOps.Planning.Plans;
using GitOps.Planning.Rendering;
using GitOps.Reconciler.Drivers.Kubernetes;
using GitOps.Specs.Diagnostics;
using GitOps.Specs.Model;

namespace GitOps.Reconciler.LiveCluster;

/// <summary>The cluster <c>gitops plan --live-cluster</c> reads: a kubeconfig file (null: <c>$KUBECONFIG</c> or
/// <c>~/.kube/config</c>) and a context (null: the current one).</summary>
public sealed record LiveClusterTarget(string? Kubeconfig, string? Context)
{
    public override string ToString() =>
        $"context {(Context ?? "(current)")} of {(Kubeconfig ?? "the default kubeconfig")}";
}

/// <summary>What the cluster said about a plan's creates and updates when they were applied with <c>dryRun=All</c>.</summary>
/// <param name="Key">The object.</param>
/// <param name="Accepted">False when the API server (or an admission webhook) refused the object.</param>
/// <param name="Message">Why it was refused, or which of our fields the server would change (empty when none).</param>
public sealed record DryRunFinding(ResourceKey Key, bool Accepted, string Message);

/// <summary>A plan made against a live cluster, with what its server-side dry-run found (errors: refused objects).</summary>
public sealed record LiveClusterPlan(RepositoryPlan Plan, ImmutableArray<Diagnostic> DryRun)
{
    public bool HasErrors => Plan.HasErrors || DryRun.Any(d => d.IsError);
}

/// <summary>
/// <c>gitops plan --env ENV --live-cluster</c>: reads the managed objects of environments from a real cluster
/// (instead of a <c>--live</c> file), and checks a plan against it with server-side dry-run, so that a plan posted on a
/// PR says what the cluster would refuse or rewrite. Read-only: nothing is ever persisted.
/// </summary>
public sealed class LiveClusterObserver(IClusterDriver cluster) : IDisposable
{
    private readonly IDisposable? _connection;

    private LiveClusterObserver(KubernetesClusterDriver driver, IDisposable connection)
        : this(driver) => _connection = connection;

    /// <summary>
    /// Connects to <paramref name="target"/>. Throws <see cref="LiveClusterException"/> saying what to fix when the
    /// kubeconfig cannot be read or has no such context.
    /// </summary>
    public static LiveClusterObserver Connect(LiveClusterTarget target)
    {
        KubernetesApiConnection connection;
        try
        {
            connection = KubernetesApiConnection.FromKubeconfig(target.Kubeconfig, target.Context);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new LiveClusterException(
                $"cannot use {target}: {e.Message}",
                "check --kubeconfig and --context (kubectl config get-contexts lists them)", e);
        }
        return new LiveClusterObserver(new KubernetesClusterDriver(connection), connection);
    }

    /// <summary>
    /// The managed objects of each environment in <paramref name="environments"/> (its namespace is read from
    /// <paramref name="specs"/>); environments the specs do not define are skipped (the plan reports them).
    /// </summary>
    public async Task<IReadOnlyList<JsonObject>> ObserveAsync(SpecSet specs, IEnumerable<string> environments, CancellationToken ct)
    {
        // Kept as text, as the reconciler keeps them: planning builds each tree only to compare it.
        var observed = new List<CompactObject>();
        foreach (var name in environments.Distinct().Order(StringComparer.Ordinal))
        {
            if (specs.Environment(name) is not { } env)
            {
                continue;
            }
            try
            {
                var objects = await cluster.ReadManagedAsync(name, env.Spec.Namespace, ct);
                observed.AddRange(objects is ObservedObjects compact ? compact.Items : objects.Select(CompactObject.Of));
            }
            catch (KubernetesApiException e)
            {
                throw new LiveClusterException(
                    $"cannot read the objects of environment '{name}' in namespace '{env.Spec.Namespace}': {e.Message}",
                    e.StatusCode is 401 or 403
                        ? "your credentials may not list these kinds there; ask for the reconciler's read permissions"
                        : "check that the cluster is reachable (kubectl get ns)", e);
            }
        }
        return ObservedObjects.Of(observed);
    }

    /// <summary>
    /// What <c>gitops plan --live-cluster</c> does, in one call: connect to <paramref name="target"/>, read the
    /// managed objects of <paramref name="environments"/>, plan against them (registry facts read from the same
    /// objects) and dry-run every create and update server-side. Throws <see cref="LiveClusterException"/> (with a
    /// hint) when the cluster cannot be used; nothing is ever written.
    /// </summary>
    public static async Task<LiveClusterPlan> PlanAsync(SpecSet specs, IReadOnlyList<string> environments, string commit,
        LiveClusterTarget target, CancellationToken ct)
    {
        using var observer = Connect(target);
        var observed = await observer.ObserveAsync(specs, environments, ct);
        var plan = EnvironmentPlanner.Plan(specs, environments, Facts(observed), new RenderContext(commit), observed);
        var dryRun = ImmutableArray.CreateBuilder<Diagnostic>();
        foreach (var environment in plan.Environments.Where(e => !e.HasErrors))
        {
            try
            {
                dryRun.AddRange(ToDiagnostics(await observer.DryRunAsync(environment.Plan, ct), environment.Plan, specs));
            }
            catch (KubernetesApiException e)
            {
                throw new LiveClusterException($"server-side dry-run in environment '{environment.Environment}' failed: {e.Message}",
                    "check that the cluster is reachable (kubectl get ns)", e);
            }
        }
        return new LiveClusterPlan(plan, dryRun.ToImmutable());
    }

    /// <summary>Registry facts as the cluster shows them (trained, stable and canary versions).</summary>
    public static RegistryFacts Facts(IReadOnlyList<JsonObject> observed) => ObservedFacts.From(observed);

    /// <summary>
    /// Applies every create and update of <paramref name="plan"/> with server-side dry-run. A refusal is a finding
    /// that is not accepted; an accepted object whose stored form differs from ours in fields we set (a mutating
    /// webhook, a defaulting we do not mirror) is reported too, because it would show as drift on every pass.
    /// </summary>
    public async Task<ImmutableArray<DryRunFinding>> DryRunAsync(Plan plan, CancellationToken ct)
    {
        var findings = ImmutableArray.CreateBuilder<DryRunFinding>();
        foreach (var action in plan.Changes.Where(a => a.Action is ActionKind.Create or ActionKind.Update))
        {
            JsonObject stored;
            try
            {
                stored = await cluster.ApplyAsync(action.Desired!, dryRun: true, ct);
            }
            catch (KubernetesApiException e) when (e.StatusCode != 0)
            {
                findings.Add(new DryRunFinding(action.Key, Accepted: false, e.Message));
                continue;
            }
            var rewritten = ObjectDiff.Compare(action.Desired!, stored);
            findings.Add(new DryRunFinding(action.Key, Accepted: true, rewritten.IsEmpty
                ? ""
                : $"the server would store other values for {string.Join(", ", rewritten.Select(c => c.Path).Distinct().Take(5))}"));
        }
        return findings.ToImmutable();
    }

    /// <summary>
    /// Dry-run findings as diagnostics pointing at the model file that produced each object: refusals are errors,
    /// rewritten fields warnings. Objects with nothing to say are left out.
    /// </summary>
    public static ImmutableArray<Diagnostic> ToDiagnostics(IEnumerable<DryRunFinding> findings, Plan plan, SpecSet specs)
    {
        var byKey = plan.Actions.ToDictionary(a => a.Key);
        return [.. findings.Where(f => !f.Accepted || f.Message.Length > 0).Select(f =>
        {
            var model = byKey.TryGetValue(f.Key, out var a) && a.Desired is { } d ? ObjectKeys.Label(d, ManagedLabels.Model) : null;
            var file = model is not null && specs.Model(model) is { } m ? m.Origin.File : $"environments/{plan.Environment}";
            return f.Accepted
                ? new Diagnostic(LiveClusterDiagnostics.ServerRewritesFields, Severity.Warning, SourceSpan.StartOf(file),
                    $"{f.Key}: {f.Message}", "a mutating webhook or server default changes fields GitOps sets: this object will show as drift")
                : new Diagnostic(LiveClusterDiagnostics.DryRunRejected, Severity.Error, SourceSpan.StartOf(file),
                    $"{f.Key} would be refused by the cluster: {f.Message}");
        })];
    }

    public void Dispose() => _connection?.Dispose();
}

/// <summary>Stable ids of what <c>--live-cluster</c> reports.</summary>
public static class LiveClusterDiagnostics
{
    public const string DryRunRejected = "GITOPS0701";
    public const string ServerRewritesFields = "GITOPS0702";
}

/// <summary>The live cluster could not be used; <see cref="Hint"/> says what to do.</summary>
public sealed class LiveClusterException(string message, string hint, Exception? inner = null) : Exception(message, inner)
{
    public string Hint { get; } = hint;
}

using System.Collections.Immutable;
using GitOps.Specs.Contracts;
using GitOps.Specs.Diagnostics;
using GitOps.Specs.Model;
using GitOps.Specs.Yaml;

namespace GitOps.Specs;

/// <summary>
/// Checks across and within documents that a schema cannot express: unique names, references with "did you
/// mean" hints, GPU pools and quotas per environment, durations and quantities, promotion cycles, experiment
/// parameters and rollout steps. Pure; lookups go through dictionaries, so the cost is linear in the specs.
/// </summary>
public static class SemanticChecker
{
    public static ImmutableArray<Diagnostic> Check(SpecSet specs)
    {
        var context = new CheckContext(specs);
        context.Run();
        context.Diagnostics.AddRange(KubernetesFieldChecks.Check(specs));
        return DiagnosticOrder.Sort(context.Diagnostics);
    }

    private sealed class CheckContext(SpecSet specs)
    {
        private readonly Dictionary<string, EnvironmentSpec> _environments = Index(specs.Environments);
        private readonly Dictionary<string, ModelSpec> _models = Index(specs.Models);
        private readonly Dictionary<string, QualityGateSpec> _gates = Index(specs.QualityGates);
        private readonly Dictionary<string, RolloutPolicySpec> _rollouts = Index(specs.RolloutPolicies);
        private readonly Dictionary<string, PolicySpec> _policies = Index(specs.Policies);

        public List<Diagnostic> Diagnostics { get; } = [];

        public void Run()
        {
            UniqueNames(specs.Environments);
            OwnNamespaces(specs.Environments);
            UniqueNames(specs.Models);
            UniqueNames(specs.Experiments);
            UniqueNames(specs.QualityGates);
            UniqueNames(specs.RolloutPolicies);
            UniqueNames(specs.Policies);
            foreach (var e in specs.Environments)
            {
                CheckEnvironment(e);
            }
            PromotionCycles();
            foreach (var m in specs.Models)
            {
                CheckModel(m);
            }
            foreach (var x in specs.Experiments)
            {
                CheckExperiment(x);
            }
            foreach (var g in specs.QualityGates)
            {
                UniqueEntries(g, "spec.rules", g.Spec.Rules.Select(r => r.Name), "rule");
            }
            foreach (var r in specs.RolloutPolicies)
            {
                CheckRollout(r);
            }
            foreach (var p in specs.Policies)
            {
                UniqueEntries(p, "spec.rules", p.Spec.Rules.Select(r => r.Name), "rule");
                for (var i = 0; i < p.Spec.Match.Environments.Length; i++)
                {
                    Reference(p, $"spec.match.environments[{i}]", SpecKinds.Environment, p.Spec.Match.Environments[i], _environments);
                }
            }
        }

        private static Dictionary<string, T> Index<T>(ImmutableArray<T> items) where T : SpecObject
        {
            var d = new Dictionary<string, T>(items.Length, StringComparer.Ordinal);
            foreach (var item in items)
            {
                d.TryAdd(item.Name, item);
            }
            return d;
        }

        /// <summary>What the builtin trainer would refuse when the Job runs (its task, the algorithm for it, each
        /// hyperparameter and its bounds), reported in the pull request instead.</summary>
        private void BuiltinSettings(ModelSpec m, ModelBody s, TrainingSpec t)
        {
            var algorithm = t.Builtin!.Algorithm;
            if (BuiltinCatalog.TaskProblem(s.Task) is { } task)
            {
                Report(DiagnosticIds.BuiltinSettings, m.Origin.Value("spec.task"), task,
                    "train it with a custom trainer image (training.image), or use a task the builtin trainer trains");
                return;
            }
            if (BuiltinCatalog.AlgorithmProblem(s.Task, algorithm) is { } wrong)
            {
                Report(DiagnosticIds.BuiltinSettings, m.Origin.Value("spec.training.builtin.algorithm"), wrong);
                return;
            }
            foreach (var (name, text) in t.Hyperparameters)
            {
                var path = $"spec.training.hyperparameters.{name}";
                if (BuiltinCatalog.NameProblem(algorithm, name) is { } unknown)
                {
                    Report(DiagnosticIds.BuiltinSettings, m.Origin.Key(path), unknown, Suggestions.DidYouMean(name, BuiltinCatalog.HyperparametersOf(algorithm)));
                }
                else if (BuiltinCatalog.Hyperparameter(algorithm, name, text).Problem is { } problem)
                {
                    Report(DiagnosticIds.BuiltinSettings, m.Origin.Value(path), problem);
                }
            }
        }

        private void Report(string id, SourceSpan span, string message, string? hint = null, Severity severity = Severity.Error) =>
            Diagnostics.Add(new Diagnostic(id, severity, span, message, hint));

        private void UniqueNames<T>(ImmutableArray<T> items) where T : SpecObject
        {
            var first = new Dictionary<string, T>(StringComparer.Ordinal);
            // SpecSet keeps load order among equal names, so "first" is the first in file order.
            foreach (var item in items)
            {
                if (first.TryGetValue(item.Name, out var original))
                {
                    Report(DiagnosticIds.DuplicateName, item.Origin.Value("metadata.name"),
                        $"{item.Kind} '{item.Name}' is defined more than once (first at {original.Origin.Value("metadata.name")})",
                        "rename or remove one of them");
                }
                else
                {
                    first[item.Name] = item;
                }
            }
        }

        private bool Reference<T>(SpecObject from, string path, string kind, string name, Dictionary<string, T> index) where T : SpecObject
        {
            if (index.ContainsKey(name))
            {
                return true;
            }
            Report(DiagnosticIds.UnknownReference, from.Origin.Value(path),
                $"{from.Kind} '{from.Name}' refers to unknown {kind} '{name}'",
                Suggestions.DidYouMean(name, index.Keys) ?? (index.Count == 0 ? $"no {kind} is defined" : null));
            return false;
        }

        private void UniqueEntries(SpecObject spec, string listPath, IEnumerable<string> names, string what)
        {
            var seen = new HashSet<string>(StringComparer.Ordinal);
            var i = 0;
            foreach (var name in names)
            {
                if (!seen.Add(name))
                {
                    Report(DiagnosticIds.DuplicateEntry, spec.Origin.Value($"{listPath}[{i}].name"),
                        $"{what} name '{name}' appears more than once in '{listPath}'", "names in a list must be unique");
                }
                i++;
            }
        }

        private void Duration(SpecObject spec, string path, string? value)
        {
            if (value is not null && !Durations.TryParse(value, out _))
            {
                Report(DiagnosticIds.InvalidDuration, spec.Origin.Value(path), $"'{path}' is '{value}', not a duration",
                    "use a number and unit (ms, s, m, h, d), e.g. 500ms, 30s, 5m, 1h30m");
            }
        }

        private void PositiveDuration(SpecObject spec, string path, string? value)
        {
            if (value is not null && Durations.TryParse(value, out var duration) && duration <= TimeSpan.Zero)
            {
                Report(DiagnosticIds.InvalidDuration, spec.Origin.Value(path), $"'{path}' is '{value}' but must be greater than zero",
                    "use a positive duration, e.g. 90m, 2h or 1h30m");
                return;
            }
            Duration(spec, path, value);
        }

        private void Quantity(SpecObject spec, string path, string? value)
        {
            if (value is null)
            {
                return;
            }
            if (!Quantities.TryParseValue(value, out var q))
            {
                Report(DiagnosticIds.InvalidQuantity, spec.Origin.Value(path), $"'{path}' is '{value}', not a Kubernetes quantity",
                    "use e.g. 500m or 2 for CPU, 512Mi or 2Gi for memory");
            }
            else if (q <= 0)
            {
                Report(DiagnosticIds.InvalidQuantity, spec.Origin.Value(path), $"'{path}' is '{value}' but must be greater than zero");
            }
        }

        // Environments.

        /// <summary>
        /// Two environments on one cluster (the same kubeconfig context, or both in-cluster) that deploy to one namespace
        /// render their objects under the same names (a model's Deployments and Services, alert rules, dashboards) and
        /// each would prune what the other applied: every environment needs a namespace of its own.
        /// </summary>
        private void OwnNamespaces(ImmutableArray<EnvironmentSpec> environments)
        {
            var first = new Dictionary<(string Cluster, string Namespace), EnvironmentSpec>();
            foreach (var e in environments)
            {
                if (e.Spec.Cluster.Kubernetes is not { } k || string.IsNullOrEmpty(e.Spec.Namespace) || (k.Context is null) == !k.InCluster)
                {
                    continue;
                }
                var cluster = k.InCluster ? "in-cluster" : $"context {k.Context}";
                if (first.TryGetValue((cluster, e.Spec.Namespace), out var other))
                {
                    if (other.Name != e.Name)
                    {
                        Report(DiagnosticIds.SharedNamespace, e.Origin.Value("spec.namespace"),
                            $"environments '{other.Name}' and '{e.Name}' both deploy to namespace '{e.Spec.Namespace}' of the cluster of {cluster} (first at {other.Origin.Value("spec.namespace")}); their objects would have the same names and each environment would prune the other's",
                            "give each environment a namespace of its own");
                    }
                    continue;
                }
                first[(cluster, e.Spec.Namespace)] = e;
            }
        }

        private void CheckEnvironment(EnvironmentSpec e)
        {
            var s = e.Spec;
            if (s.Cluster.Kubernetes is { } k && (k.Context is null) == !k.InCluster)
            {
                Report(DiagnosticIds.ClusterTarget, e.Origin.Key("spec.cluster.kubernetes"),
                    k.InCluster
                        ? "cluster.kubernetes sets both context and inCluster: true"
                        : "cluster.kubernetes needs a context or inCluster: true",
                    "set exactly one of 'context: <kubeconfig context>' or 'inCluster: true'");
            }
            UniqueEntries(e, "spec.gpuPools", s.GpuPools.Select(p => p.Name), "GPU pool");
            if (s.Artifacts is { } artifacts && ArtifactScheme(artifacts.Uri) is { } scheme
                && !TrainingContract.ArtifactSchemes.Contains(scheme))
            {
                // Training Jobs publish and serving pods fetch with `gitops artifacts`, which speaks only these.
                Report(DiagnosticIds.ArtifactScheme, e.Origin.Value("spec.artifacts.uri"),
                    $"artifact store '{artifacts.Uri}' uses scheme '{scheme}'; training and serving pods can only use file://, http://, https:// or s3://",
                    "use s3://bucket/prefix for S3 and S3-compatible stores, the store's HTTPS endpoint (WebDAV or an artifact repository), or mount it as a volume and use a file:// path");
            }
            if (s.Artifacts is { TokenSecretRef: not null } tokenStore && ArtifactScheme(tokenStore.Uri) is not ("http" or "https"))
            {
                // A file store is read and written through a mounted volume: the token would be mounted for nothing.
                Report(DiagnosticIds.ArtifactTokenUnused, e.Origin.Key("spec.artifacts.tokenSecretRef"),
                    $"artifacts.tokenSecretRef is set but the store '{tokenStore.Uri}' is not http:// or https://, so the token is never sent",
                    "remove tokenSecretRef, or use the store's http(s) endpoint", Severity.Warning);
            }
            if (s.Serving?.CacheRedis is { } redis && !RedisEndpoint.IsValidAddress(redis.Address))
            {
                Report(DiagnosticIds.ServingCache, e.Origin.Value("spec.serving.cache.redis.address"),
                    $"'spec.serving.cache.redis.address' is '{redis.Address}', not host:port",
                    "write e.g. redis.ml-cache.svc.cluster.local:6379; the password goes in passwordSecretRef");
            }
            if (s.NetworkPolicy is { } network)
            {
                NetworkPeers(e, network);
            }
            if (s.Gateway is { GrpcRoutes: true } && s.Router != TrafficRouters.GatewayApi)
            {
                Report(DiagnosticIds.GrpcRoutesUnused, e.Origin.Value("spec.gateway.grpcRoutes"),
                    $"gateway.grpcRoutes is true but the router is {s.Router}, so no GRPCRoute is rendered"
                    + (s.Router == TrafficRouters.Istio ? " (the VirtualService already routes the gRPC port)" : ""),
                    "use 'router: gatewayApi' for GRPCRoutes, or remove grpcRoutes", Severity.Warning);
            }
            if (s.Grafana is { Dashboards: false, Folder: { } folder })
            {
                Report(DiagnosticIds.GrafanaFolderUnused, e.Origin.Value("spec.grafana.folder"),
                    $"grafana.folder is '{folder}' but grafana.dashboards is not true, so no dashboard is rendered into it",
                    "set 'dashboards: true' to render the dashboards as ConfigMaps, or remove the folder", Severity.Warning);
            }
            for (var i = 0; i < s.Policies.Length; i++)
            {
                Reference(e, $"spec.policies[{i}]", SpecKinds.Policy, s.Policies[i], _policies);
            }
            if (s.Promotion is { } promotion)
            {
                Reference(e, "spec.promotion.from", SpecKinds.Environment, promotion.From, _environments);
                Duration(e, "spec.promotion.soak", promotion.Soak);
            }
        }

        private void NetworkPeers(EnvironmentSpec e, NetworkPolicySettings network)
        {
            foreach (var (path, peer) in network.PeersWithPaths())
            {
                if (peer.Cidr is { } cidr)
                {
                    if (peer.Namespace is not null || !peer.PodLabels.IsEmpty)
                    {
                        Report(DiagnosticIds.NetworkPeer, e.Origin.Key(path),
                            "a network peer sets cidr together with namespace or podLabels",
                            "use either 'cidr' (an IP block) or 'namespace'/'podLabels' (pods), in two entries if both are needed");
                    }
                    else if (!System.Net.IPNetwork.TryParse(cidr, out _))
                    {
                        Report(DiagnosticIds.NetworkPeer, e.Origin.Value(path + ".cidr"),
                            $"'{cidr}' is not an IP block in CIDR notation", "write an address and a prefix length, e.g. 10.20.0.0/16 or 203.0.113.7/32");
                    }
                }
                else if (peer.Namespace is null && peer.PodLabels.IsEmpty)
                {
                    Report(DiagnosticIds.NetworkPeer, e.Origin.Key(path),
                        "a network peer sets none of namespace, podLabels and cidr",
                        "name the pods ('namespace', 'podLabels') or an IP block ('cidr')");
                }
            }
        }

        /// <summary>The scheme of a URI (lower case), or <c>null</c> for a plain path.</summary>
        private static string? ArtifactScheme(string uri)
        {
            var end = uri.IndexOf("://", StringComparison.Ordinal);
            return end < 0 ? null : uri[..end].ToLowerInvariant();
        }

        private void PromotionCycles()
        {
            var reported = new HashSet<string>(StringComparer.Ordinal);
            foreach (var start in _environments.Values.OrderBy(e => e.Name, StringComparer.Ordinal))
            {
                var chain = new List<string>();
                var position = new Dictionary<string, int>(StringComparer.Ordinal);
                var current = start;
                while (current is not null && !position.ContainsKey(current.Name))
                {
                    position[current.Name] = chain.Count;
                    chain.Add(current.Name);
                    current = current.Spec.Promotion is { } p && _environments.TryGetValue(p.From, out var next) ? next : null;
                }
                if (current is null)
                {
                    continue;
                }
                var cycle = chain.Skip(position[current.Name]).ToList();
                if (cycle.Any(reported.Contains))
                {
                    continue;
                }
                reported.UnionWith(cycle);
                // Report once, at the cycle member with the smallest name, so the finding is stable.
                var at = cycle.Min(StringComparer.Ordinal)!;
                var i = cycle.IndexOf(at);
                var ordered = cycle.Skip(i).Concat(cycle.Take(i)).ToList();
                ordered.Add(at);
                Report(DiagnosticIds.PromotionCycle, _environments[at].Origin.Value("spec.promotion.from"),
                    "promotion cycle: " + string.Join(" <- ", ordered),
                    "one environment in the chain must not have promotion.from");
            }
        }

        // Models.

        private void CheckModel(ModelSpec m)
        {
            var s = m.Spec;
            var t = s.Training;
            for (var i = 0; i < s.Gates.Length; i++)
            {
                Reference(m, $"spec.gates[{i}]", SpecKinds.QualityGate, s.Gates[i], _gates);
            }
            if (s.Rollout is not null)
            {
                Reference(m, "spec.rollout", SpecKinds.RolloutPolicy, s.Rollout, _rollouts);
            }
            for (var i = 0; i < s.Environments.Length; i++)
            {
                Reference(m, $"spec.environments[{i}]", SpecKinds.Environment, s.Environments[i], _environments);
            }
            UniqueEntries(m, "spec.inputs", s.Inputs.Select(x => x.Name), "input");
            UniqueEntries(m, "spec.outputs", s.Outputs.Select(x => x.Name), "output");

            if ((t.Builtin is null) == (t.Image is null))
            {
                Report(DiagnosticIds.TrainerChoice, m.Origin.Key("spec.training"),
                    t.Builtin is null ? "training sets neither builtin nor image" : "training sets both builtin and image",
                    "use exactly one: 'builtin: {algorithm: ...}' or 'image: <custom trainer image>'");
            }
            else if (t.Builtin is not null && t.Command.Length > 0)
            {
                Report(DiagnosticIds.TrainerChoice, m.Origin.Key("spec.training.command"),
                    "training.command only applies to a custom image", "remove 'command' or use 'image' instead of 'builtin'");
            }
            else if (t.Builtin is not null && t.SecurityContext is { RunAsRoot: true })
            {
                Report(DiagnosticIds.TrainerChoice, m.Origin.Key("spec.training.securityContext.runAsRoot"),
                    "the builtin trainer never runs as root; training.securityContext.runAsRoot only applies to a custom image",
                    "remove 'securityContext' or use 'image' instead of 'builtin'");
            }
            if (t.Builtin is not null)
            {
                if (s.Inputs.IsEmpty)
                {
                    Report(DiagnosticIds.BuiltinNeedsInputs, m.Origin.Key("spec.training.builtin"),
                        "the builtin trainer needs the model's inputs (feature columns)", "list them under 'spec.inputs'");
                }
                if (s.Label is null)
                {
                    Report(DiagnosticIds.BuiltinNeedsInputs, m.Origin.Key("spec.training.builtin"),
                        "the builtin trainer needs the label column", "set 'spec.label'");
                }
                BuiltinSettings(m, s, t);
                if (ArtifactScheme(t.Dataset.Uri) is { } scheme && !TrainingContract.ArtifactSchemes.Contains(scheme))
                {
                    // The builtin trainer fetches its dataset with `gitops artifacts`; a custom image fetches its own.
                    Report(DiagnosticIds.DatasetScheme, m.Origin.Value("spec.training.dataset.uri"),
                        $"dataset '{t.Dataset.Uri}' uses scheme '{scheme}'; the builtin trainer can only fetch file://, http://, https:// or s3://",
                        "use s3://bucket/key, the dataset's HTTPS endpoint, a file:// path on a mounted volume, or a custom trainer image that fetches it itself");
                }
            }
            PositiveDuration(m, "spec.training.timeout", t.Timeout);
            if (t.Retrain is { } retrain)
            {
                Retrain(m, retrain);
            }
            Resources(m, "spec.training.resources", t.Resources);
            Serving(m, "spec.serving", s.Serving);

            foreach (var (env, o) in s.Overrides)
            {
                var path = DocumentWalker.Child("spec.overrides", env);
                if (!_environments.ContainsKey(env))
                {
                    Report(DiagnosticIds.UnknownReference, m.Origin.Key(path),
                        $"Model '{m.Name}' overrides unknown Environment '{env}'",
                        Suggestions.DidYouMean(env, _environments.Keys));
                }
                else if (!s.Environments.Contains(env))
                {
                    Report(DiagnosticIds.OverrideNotServed, m.Origin.Key(path),
                        $"Model '{m.Name}' overrides Environment '{env}' but is not served there, so the override has no effect",
                        $"add '{env}' to spec.environments or remove the override", Severity.Warning);
                }
                if (o.Rollout is not null)
                {
                    Reference(m, path + ".rollout", SpecKinds.RolloutPolicy, o.Rollout, _rollouts);
                }
                if (o.Gates is { } gates)
                {
                    for (var i = 0; i < gates.Length; i++)
                    {
                        Reference(m, $"{path}.gates[{i}]", SpecKinds.QualityGate, gates[i], _gates);
                    }
                }
                if (o.Serving is not null)
                {
                    Serving(m, path + ".serving", o.Serving);
                }
                if (o.TrainingResources is not null)
                {
                    Resources(m, path + ".trainingResources", o.TrainingResources);
                }
            }

            foreach (var env in s.Environments)
            {
                if (_environments.TryGetValue(env, out var environment))
                {
                    GpuPools(m, environment);
                    CacheStore(m, environment);
                }
            }
            if (s.Monitoring is { } monitoring)
            {
                Monitoring(m, monitoring);
            }
            if (s.Batch is { } batch)
            {
                Batch(m, batch);
            }
            AnalysisKpis(m);
        }

        private void Batch(ModelSpec m, BatchSpec batch)
        {
            const string path = "spec.batch";
            if (!RetrainSchedules.IsCron(batch.Schedule))
            {
                Report(DiagnosticIds.BatchSchedule, m.Origin.Value(path + ".schedule"),
                    $"schedule '{batch.Schedule}' is not a five-field cron expression",
                    "write minute hour day-of-month month day-of-week in UTC, e.g. '0 2 * * *' for 02:00 every day");
            }
            BatchLocation(m, path + ".input", batch.Input);
            BatchLocation(m, path + ".output", batch.Output);
            if (batch.Input == batch.Output && batch.Input.Length > 0)
            {
                Report(DiagnosticIds.BatchLocation, m.Origin.Value(path + ".output"),
                    $"the batch output '{batch.Output}' is its input", "write the scores to another file, e.g. beside the input with a .scores.csv name");
            }
            if (batch.MaxErrors is not null && batch.OnError != BatchErrorModes.Skip)
            {
                Report(DiagnosticIds.BatchSettings, m.Origin.Key(path + ".maxErrors"),
                    "maxErrors has no effect with onError: fail, where the first malformed row stops the run",
                    "set onError: skip to tolerate up to maxErrors malformed rows, or remove maxErrors", Severity.Warning);
            }
            var inputs = m.Spec.Inputs.Select(i => i.Name).ToHashSet(StringComparer.Ordinal);
            for (var i = 0; i < batch.Keys.Length; i++)
            {
                if (inputs.Contains(batch.Keys[i]))
                {
                    Report(DiagnosticIds.BatchSettings, m.Origin.Value($"{path}.keys[{i}]"),
                        $"key column '{batch.Keys[i]}' is an input of the model, not an id", "list the columns that identify a row (e.g. transaction_id)", Severity.Warning);
                }
            }
            for (var i = 0; i < batch.Environments.Length; i++)
            {
                var env = batch.Environments[i];
                if (!m.Spec.Environments.Contains(env))
                {
                    Report(DiagnosticIds.BatchSettings, m.Origin.Value($"{path}.environments[{i}]"),
                        $"Model '{m.Name}' scores batches in Environment '{env}' but is not served there, so there is no version to score with",
                        Suggestions.DidYouMean(env, m.Spec.Environments)
                            ?? (m.Spec.Environments.IsEmpty ? $"add '{env}' to spec.environments" : $"use one of: {string.Join(", ", m.Spec.Environments)}"));
                }
            }
        }

        private void BatchLocation(ModelSpec m, string path, string uri)
        {
            if (DatasetTemplates.Check(uri) is { } problem)
            {
                Report(DiagnosticIds.BatchLocation, m.Origin.Value(path),
                    $"'{uri}' cannot be resolved: {problem}", "e.g. s3://scores/fraud/{date:yyyy-MM-dd}.csv");
            }
            else if (ArtifactScheme(uri) is { } scheme && !TrainingContract.ArtifactSchemes.Contains(scheme))
            {
                Report(DiagnosticIds.BatchLocation, m.Origin.Value(path),
                    $"'{uri}' uses scheme '{scheme}'; gitops score reads and writes file://, http://, https:// or s3://",
                    "use s3://bucket/key, an HTTPS endpoint, or a path on a mounted volume");
            }
            else if (BatchFiles.FormatOf(uri) is null)
            {
                Report(DiagnosticIds.BatchLocation, m.Origin.Value(path),
                    $"'{uri}' is neither a .csv nor a .parquet file, so its format is unknown", "name the file with a .csv or .parquet extension");
            }
        }

        private void Retrain(ModelSpec m, RetrainSpec retrain)
        {
            const string path = "spec.training.retrain";
            if (DatasetTemplates.Check(retrain.UriTemplate) is { } problem)
            {
                Report(DiagnosticIds.RetrainTemplate, m.Origin.Value(path + ".uriTemplate"),
                    $"the dataset URI template '{retrain.UriTemplate}' cannot be resolved: {problem}",
                    "e.g. uriTemplate: s3://data/fraud/{date:yyyy-MM-dd}.csv");
            }
            else if (m.Spec.Training.Builtin is not null && ArtifactScheme(retrain.UriTemplate) is { } scheme
                && !TrainingContract.ArtifactSchemes.Contains(scheme))
            {
                Report(DiagnosticIds.DatasetScheme, m.Origin.Value(path + ".uriTemplate"),
                    $"dataset template '{retrain.UriTemplate}' uses scheme '{scheme}'; the builtin trainer can only fetch file://, http://, https:// or s3://",
                    "use s3://bucket/key, an HTTPS endpoint, a file:// path on a mounted volume, or a custom trainer image that fetches it itself");
            }
            if (retrain.Schedule is { } schedule && !RetrainSchedules.TryParse(schedule, out _))
            {
                Report(DiagnosticIds.RetrainSchedule, m.Origin.Value(path + ".schedule"),
                    $"schedule '{schedule}' is neither a positive duration nor a cron expression",
                    "use a duration since the last retrain (7d, 12h) or five cron fields in UTC (minute hour day-of-month month day-of-week), e.g. '0 3 * * 1'");
            }
            if (retrain.Schedule is null && retrain.OnDrift is null)
            {
                Report(DiagnosticIds.RetrainTrigger, m.Origin.Key(path),
                    "retrain sets neither schedule nor onDrift, so nothing ever retrains",
                    "add schedule: 7d (or a cron expression), onDrift: {metric: score}, or both", Severity.Warning);
            }
            PositiveDuration(m, path + ".minInterval", retrain.MinInterval);
            if (retrain.OnDrift is not { } drift)
            {
                return;
            }
            PositiveDuration(m, path + ".onDrift.for", drift.For);
            if (drift.Feature is { } feature)
            {
                var inputs = m.Spec.Inputs.Select(i => i.Name).ToList();
                if (drift.Metric != DriftTriggerMetrics.Feature)
                {
                    Report(DiagnosticIds.RetrainTrigger, m.Origin.Key(path + ".onDrift.feature"),
                        $"onDrift names feature '{feature}' but watches the {drift.Metric} metric", "set metric: feature, or remove 'feature'");
                }
                else if (!inputs.Contains(feature))
                {
                    Report(DiagnosticIds.UnknownReference, m.Origin.Value(path + ".onDrift.feature"),
                        $"Model '{m.Name}' retrains on drift of '{feature}', which is not one of its inputs",
                        Suggestions.DidYouMean(feature, inputs) ?? (inputs.Count == 0 ? "list the inputs under spec.inputs" : $"inputs: {string.Join(", ", inputs)}"));
                }
            }
            if (drift.Threshold is null && m.Spec.Monitoring?.Drift is null)
            {
                Report(DiagnosticIds.RetrainTrigger, m.Origin.Key(path + ".onDrift"),
                    "onDrift sets no threshold and the model declares no monitoring.drift limits to take it from",
                    "set onDrift.threshold (e.g. 0.25) or spec.monitoring.drift");
            }
        }

        private void Monitoring(ModelSpec m, MonitoringSpec monitoring)
        {
            if (monitoring.Slo is { } slo)
            {
                PositiveDuration(m, "spec.monitoring.slo.window", slo.Window);
                if (slo.Latency is { } latency)
                {
                    PositiveDuration(m, "spec.monitoring.slo.latency.threshold", latency.Threshold);
                    if (Durations.TryParse(latency.Threshold, out var threshold) && threshold > TimeSpan.Zero
                        && ServingHistograms.LatencyBound(threshold) is var bound && Math.Abs(bound - threshold.TotalSeconds) > threshold.TotalSeconds * 1e-9)
                    {
                        Report(DiagnosticIds.LatencyBucket, m.Origin.Value("spec.monitoring.slo.latency.threshold"),
                            $"the latency threshold {latency.Threshold} is not a bound of the request-duration histogram, so the SLO counts requests within {ServingHistograms.Describe(bound)} as fast",
                            $"use a bound for an exact objective: {string.Join(", ", ServingHistograms.NearBounds(threshold).Select(ServingHistograms.Describe))}",
                            Severity.Warning);
                    }
                }
            }
            if (monitoring.Drift is { } drift)
            {
                PositiveDuration(m, "spec.monitoring.drift.for", drift.For);
                var inputs = m.Spec.Inputs.Select(i => i.Name).ToList();
                foreach (var feature in drift.Features.Keys.Where(f => !inputs.Contains(f)))
                {
                    Report(DiagnosticIds.UnknownReference, m.Origin.Key(DocumentWalker.Child("spec.monitoring.drift.features", feature)),
                        $"Model '{m.Name}' sets a drift limit for '{feature}', which is not one of its inputs",
                        Suggestions.DidYouMean(feature, inputs) ?? (inputs.Count == 0 ? "list the inputs under spec.inputs" : $"inputs: {string.Join(", ", inputs)}"));
                }
            }
            if (monitoring.DataQuality is { } quality)
            {
                PositiveDuration(m, "spec.monitoring.dataQuality.for", quality.For);
            }
            UniqueEntries(m, "spec.monitoring.kpis", monitoring.Kpis.Select(k => k.Name), "KPI");
            for (var i = 0; i < monitoring.Kpis.Length; i++)
            {
                if (monitoring.Kpis[i].Alert is not { } alert)
                {
                    continue;
                }
                var path = $"spec.monitoring.kpis[{i}].alert";
                PositiveDuration(m, path + ".for", alert.For);
                if (alert.Below is null && alert.Above is null)
                {
                    Report(DiagnosticIds.KpiAlertRange, m.Origin.Key(path),
                        $"the alert of KPI '{monitoring.Kpis[i].Name}' sets neither below nor above, so it can never fire",
                        "set below, above or both, e.g. below: 0.2");
                }
                else if (alert.Below >= alert.Above)
                {
                    Report(DiagnosticIds.KpiAlertRange, m.Origin.Value(path + ".below"),
                        $"the alert of KPI '{monitoring.Kpis[i].Name}' has below {alert.Below} at or over above {alert.Above}, so it always fires",
                        "below is the lower bound of the healthy range and above its upper bound: below must be smaller");
                }
            }
        }

        /// <summary>GITOPS0233: every analysis template that names a KPI finds it among the KPIs of each model whose
        /// rollout policy (its own, or an environment's override) holds the template.</summary>
        private void AnalysisKpis(ModelSpec m)
        {
            var uses = new List<(string Rollout, string Path)>();
            if (m.Spec.Rollout is { } rollout)
            {
                uses.Add((rollout, "spec.rollout"));
            }
            foreach (var (env, o) in m.Spec.Overrides)
            {
                if (o.Rollout is { } overridden && m.Spec.Environments.Contains(env))
                {
                    uses.Add((overridden, DocumentWalker.Child("spec.overrides", env) + ".rollout"));
                }
            }
            var kpis = m.Spec.Monitoring?.Kpis.Select(k => k.Name).ToList() ?? [];
            foreach (var (name, path) in uses)
            {
                if (!_rollouts.TryGetValue(name, out var policy))
                {
                    continue;
                }
                for (var i = 0; i < policy.Spec.Analysis.Length; i++)
                {
                    var template = policy.Spec.Analysis[i];
                    if (template.Kpi is not { } kpi || kpis.Contains(kpi))
                    {
                        continue;
                    }
                    Report(DiagnosticIds.UnknownKpi, m.Origin.Value(path),
                        $"Model '{m.Name}' uses RolloutPolicy '{name}', whose analysis '{template.Name}' measures KPI '{kpi}' (at {policy.Origin.Value($"spec.analysis[{i}].kpi")}), but the model has no KPI of that name",
                        Suggestions.DidYouMean(kpi, kpis) ?? $"add it under spec.monitoring.kpis ({(kpis.Count == 0 ? "the model has no KPIs" : "KPIs: " + string.Join(", ", kpis))}), or use another rollout policy");
                }
            }
        }

        private void Resources(ModelSpec m, string path, ResourceRequest r)
        {
            Quantity(m, path + ".cpu", r.Cpu);
            Quantity(m, path + ".memory", r.Memory);
            if (r.Gpus > 0 && r.Pool is null)
            {
                Report(DiagnosticIds.GpuPoolMissing, m.Origin.Value(path + ".gpus"),
                    $"'{path}' requests {r.Gpus} GPU(s) but names no pool", "add 'pool: <GPU pool of the environment>'");
            }
        }

        private void Serving(ModelSpec m, string path, ServingSpec s)
        {
            if (s.Replicas is not null && s.Autoscaling is not null)
            {
                Report(DiagnosticIds.ServingScale, m.Origin.Key(path + ".autoscaling"),
                    $"'{path}' sets both replicas and autoscaling", "use replicas for a fixed size or autoscaling, not both");
            }
            if (s.Autoscaling is { } a && a.MinReplicas > a.MaxReplicas)
            {
                Report(DiagnosticIds.ServingScale, m.Origin.Value(path + ".autoscaling.minReplicas"),
                    $"autoscaling.minReplicas ({a.MinReplicas}) is greater than maxReplicas ({a.MaxReplicas})");
            }
            if (s.Resources is not null)
            {
                Resources(m, path + ".resources", s.Resources);
            }
            if (s.Batching is not null)
            {
                Duration(m, path + ".batching.maxDelay", s.Batching.MaxDelay);
            }
            if (s.Cache is { } cache)
            {
                Cache(m, path + ".cache", cache);
            }
        }

        private void Cache(ModelSpec m, string path, ServingCache cache)
        {
            if (cache.MaxBytes is { } text)
            {
                if (!Quantities.TryParseValue(text, out var bytes) || bytes < ServingCacheLimits.MinBytes)
                {
                    Report(DiagnosticIds.ServingCache, m.Origin.Value(path + ".maxBytes"),
                        $"'{path}.maxBytes' is '{text}', not a size of at least 1Mi", "use a quantity such as 64Mi, 256Mi or 1Gi");
                }
                else if (cache.Store != CacheStores.Memory)
                {
                    Report(DiagnosticIds.ServingCache, m.Origin.Key(path + ".maxBytes"),
                        $"'{path}.maxBytes' bounds only the memory store, but store is '{cache.Store}'",
                        "remove maxBytes, or use store: memory", Severity.Warning);
                }
            }
            if (cache.Ttl is { } ttl)
            {
                if (Durations.TryParse(ttl, out var duration) && duration < TimeSpan.FromSeconds(1))
                {
                    Report(DiagnosticIds.ServingCache, m.Origin.Value(path + ".ttl"),
                        $"'{path}.ttl' is '{ttl}'; answers must be kept at least 1s", "use e.g. 30s, 10m or 1h, or leave ttl out");
                }
                else
                {
                    Duration(m, path + ".ttl", ttl);
                }
            }
        }

        /// <summary>A model cached in Redis needs the environment's Redis; the memory store's bound must leave room for
        /// the server in the pod's memory.</summary>
        private void CacheStore(ModelSpec m, EnvironmentSpec environment)
        {
            var serving = ModelSettings.For(m, environment.Name).Serving;
            if (serving.Cache is not { } cache)
            {
                return;
            }
            var o = m.Spec.Overrides.GetValueOrDefault(environment.Name);
            var path = o?.Serving?.Cache is not null ? DocumentWalker.Child("spec.overrides", environment.Name) + ".serving.cache" : "spec.serving.cache";
            if (cache.Store == CacheStores.Redis && environment.Spec.Serving?.CacheRedis is null)
            {
                Report(DiagnosticIds.ServingCache, m.Origin.Value(path + ".store"),
                    $"Model '{m.Name}' caches in Redis in Environment '{environment.Name}', which names no Redis",
                    $"set spec.serving.cache.redis.address in Environment '{environment.Name}', or use store: memory");
            }
            if (cache.Store == CacheStores.Memory
                && Quantities.TryParseValue(cache.MaxBytes ?? ServingCacheLimits.DefaultMaxBytes, out var bytes)
                && serving.Resources?.Memory is { } memoryText && Quantities.TryParseValue(memoryText, out var memory)
                && bytes * 2 > memory)
            {
                Report(DiagnosticIds.ServingCache, m.Origin.Value(path + (cache.MaxBytes is null ? ".store" : ".maxBytes")),
                    $"the memory cache may take {cache.MaxBytes ?? ServingCacheLimits.DefaultMaxBytes} of the serving pod's {memoryText} in Environment '{environment.Name}', leaving too little for the model and the server",
                    "keep maxBytes at most half of serving.resources.memory, or use store: redis", Severity.Warning);
            }
        }

        private void GpuPools(ModelSpec m, EnvironmentSpec environment)
        {
            var settings = ModelSettings.For(m, environment.Name);
            var o = m.Spec.Overrides.GetValueOrDefault(environment.Name);
            var overridePath = DocumentWalker.Child("spec.overrides", environment.Name);
            var trainingPath = o?.TrainingResources is not null ? overridePath + ".trainingResources" : "spec.training.resources";
            GpuPool(m, environment, trainingPath, settings.TrainingResources);
            if (settings.Serving.Resources is { } serving)
            {
                var servingPath = o?.Serving?.Resources is not null ? overridePath + ".serving.resources" : "spec.serving.resources";
                GpuPool(m, environment, servingPath, serving);
            }
        }

        private void GpuPool(ModelSpec m, EnvironmentSpec environment, string path, ResourceRequest r)
        {
            // A named pool must exist even without GPUs: rendering places the pods with its nodeSelector and
            // tolerations.
            if (r.Pool is null)
            {
                return;
            }
            var pool = environment.Spec.GpuPools.FirstOrDefault(p => p.Name == r.Pool);
            if (pool is null)
            {
                var names = environment.Spec.GpuPools.Select(p => p.Name).ToList();
                Report(DiagnosticIds.GpuPoolMissing, m.Origin.Value(path + ".pool"),
                    $"GPU pool '{r.Pool}' does not exist in Environment '{environment.Name}', where Model '{m.Name}' is served",
                    Suggestions.DidYouMean(r.Pool, names) ?? (names.Count == 0
                        ? $"Environment '{environment.Name}' has no gpuPools; add one or override trainingResources for it"
                        : "pools there: " + string.Join(", ", names)));
            }
            else if (r.Gpus > 0 && r.Gpus > pool.Quota)
            {
                Report(DiagnosticIds.GpuQuotaExceeded, m.Origin.Value(path + ".gpus"),
                    $"'{path}' requests {r.Gpus} GPU(s) but pool '{pool.Name}' of Environment '{environment.Name}' allows at most {pool.Quota}",
                    "request fewer GPUs or raise the pool's quota");
            }
        }

        // Experiments.

        private void CheckExperiment(ExperimentSpec x)
        {
            var s = x.Spec;
            Reference(x, "spec.model", SpecKinds.Model, s.Model, _models);
            UniqueEntries(x, "spec.search.parameters", s.Search.Parameters.Select(p => p.Name), "parameter");
            for (var i = 0; i < s.Search.Parameters.Length; i++)
            {
                var p = s.Search.Parameters[i];
                var path = $"spec.search.parameters[{i}]";
                var hasValues = !p.Values.IsEmpty;
                var hasRange = p.Min is not null || p.Max is not null;
                string? problem = null;
                if (hasValues == hasRange)
                {
                    problem = hasValues ? "sets both values and a min/max range" : "sets neither values nor a min/max range";
                }
                else if (hasRange && (p.Min is null || p.Max is null))
                {
                    problem = "needs both min and max";
                }
                else if (hasRange && p.Min >= p.Max)
                {
                    problem = $"has min ({PlainNumbers.Format(p.Min!.Value)}) not below max ({PlainNumbers.Format(p.Max!.Value)})";
                }
                else if (hasRange && p.Scale == "log" && p.Min <= 0)
                {
                    problem = "uses a log scale, which needs min > 0";
                }
                else if (hasRange && s.Search.Method == "grid")
                {
                    problem = "is a range, but a grid search needs a list of values";
                }
                if (problem is not null)
                {
                    Report(DiagnosticIds.InvalidSearchParameter, x.Origin.Key(path), $"search parameter '{p.Name}' {problem}",
                        "use 'values: [...]' or 'min:' and 'max:' (random search only)");
                }
            }
            BuiltinSearch(x);
            if (s.Parallelism > s.MaxTrials)
            {
                Report(DiagnosticIds.ParallelismAboveTrials, x.Origin.Value("spec.parallelism"),
                    $"parallelism ({s.Parallelism}) is greater than maxTrials ({s.MaxTrials})",
                    "lower parallelism; the extra slots would stay idle", Severity.Warning);
            }
        }

        /// <summary>What the builtin trainer would refuse in the trials of an experiment over a model it trains: a searched
        /// hyperparameter the algorithm does not take, a value or range bound out of its type or bounds, or a log-scale
        /// range, which draws fractions, over one that takes whole numbers.</summary>
        private void BuiltinSearch(ExperimentSpec x)
        {
            if (!_models.TryGetValue(x.Spec.Model, out var model) || model.Spec.Training.Builtin is not { Algorithm: var algorithm }
                || (BuiltinCatalog.TaskProblem(model.Spec.Task) ?? BuiltinCatalog.AlgorithmProblem(model.Spec.Task, algorithm)) is not null)
            {
                // A custom trainer takes what it wants; a task or algorithm the trainer refuses is reported at the model.
                return;
            }
            var parameters = x.Spec.Search.Parameters;
            for (var i = 0; i < parameters.Length; i++)
            {
                var p = parameters[i];
                var path = $"spec.search.parameters[{i}]";
                if (BuiltinCatalog.NameProblem(algorithm, p.Name) is { } unknown)
                {
                    Report(DiagnosticIds.BuiltinSettings, x.Origin.Value($"{path}.name"), unknown,
                        Suggestions.DidYouMean(p.Name, BuiltinCatalog.HyperparametersOf(algorithm)));
                    continue;
                }
                var values = p.Values.Select((v, j) => (Path: $"{path}.values[{j}]", Text: v))
                    .Concat(new[] { ("min", p.Min), ("max", p.Max) }.Where(b => b.Item2 is not null)
                        .Select(b => (Path: $"{path}.{b.Item1}", Text: PlainNumbers.Format(b.Item2!.Value))));
                foreach (var (valuePath, text) in values)
                {
                    if (BuiltinCatalog.Hyperparameter(algorithm, p.Name, text).Problem is { } problem)
                    {
                        Report(DiagnosticIds.BuiltinSettings, x.Origin.Value(valuePath), problem);
                    }
                }
                if (p.Min is not null && p.Max is not null && p.Scale == "log" && BuiltinCatalog.TakesWholeNumbers(algorithm, p.Name))
                {
                    Report(DiagnosticIds.BuiltinSettings, x.Origin.Value($"{path}.scale"),
                        $"hyperparameter '{p.Name}' takes whole numbers, but a log-scale range draws fractions",
                        "use 'values: [...]', or a linear range with whole-number bounds");
                }
            }
        }

        // Rollout policies.

        private void CheckRollout(RolloutPolicySpec r)
        {
            var s = r.Spec;
            UniqueEntries(r, "spec.analysis", s.Analysis.Select(a => a.Name), "analysis template");
            var templates = new Dictionary<string, AnalysisTemplate>(StringComparer.Ordinal);
            for (var i = 0; i < s.Analysis.Length; i++)
            {
                templates.TryAdd(s.Analysis[i].Name, s.Analysis[i]);
                Duration(r, $"spec.analysis[{i}].interval", s.Analysis[i].Interval);
            }
            Duration(r, "spec.progressDeadline", s.ProgressDeadline);
            Duration(r, "spec.scaleDownDelay", s.ScaleDownDelay);
            if (s.BackgroundAnalysis is { } background)
            {
                TemplateReferences(r, "spec.backgroundAnalysis", background.Templates, templates);
            }
            if (s.Strategy != RolloutStrategies.Canary && !s.Steps.IsEmpty)
            {
                Report(DiagnosticIds.StepsNeedCanary, r.Origin.Key("spec.steps"),
                    $"steps only apply to the canary strategy, not '{s.Strategy}'", "remove the steps or use 'strategy: canary'");
            }
            else if (s.Strategy == RolloutStrategies.Canary && !s.Steps.Any(x => x.SetWeight is not null))
            {
                Report(DiagnosticIds.StepsNeedCanary, r.Origin.Key(s.Steps.IsEmpty ? "spec.strategy" : "spec.steps"),
                    "a canary needs at least one setWeight step", "add e.g. '- setWeight: 20'");
            }
            var weight = 0;
            var weightPath = "";
            for (var i = 0; i < s.Steps.Length; i++)
            {
                var step = s.Steps[i];
                var path = $"spec.steps[{i}]";
                if (step.SetWeight is { } w)
                {
                    if (w < weight)
                    {
                        Report(DiagnosticIds.WeightDecreases, r.Origin.Value(path + ".setWeight"),
                            $"setWeight {w} is lower than the previous setWeight {weight} (at {r.Origin.Value(weightPath)})",
                            "canary weights must not decrease; a rollback is automatic");
                    }
                    weight = Math.Max(weight, w);
                    weightPath = path + ".setWeight";
                }
                Duration(r, path + ".pause.duration", step.Pause);
                if (step.Analysis is { } names)
                {
                    TemplateReferences(r, path + ".analysis", names, templates);
                }
            }
        }

        private void TemplateReferences(RolloutPolicySpec r, string path, ImmutableArray<string> names, Dictionary<string, AnalysisTemplate> templates)
        {
            for (var j = 0; j < names.Length; j++)
            {
                if (!templates.ContainsKey(names[j]))
                {
                    Report(DiagnosticIds.UnknownReference, r.Origin.Value($"{path}.templates[{j}]"),
                        $"RolloutPolicy '{r.Name}' refers to unknown analysis template '{names[j]}'",
                        Suggestions.DidYouMean(names[j], templates.Keys) ?? "define it under spec.analysis");
                }
            }
        }
    }
}

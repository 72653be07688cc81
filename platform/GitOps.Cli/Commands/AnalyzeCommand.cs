using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using GitOps.Cli.Conventions;
using GitOps.Cli.Output;
using GitOps.Cli.Rollouts;
using GitOps.Policy;
using GitOps.Reconciler.Analysis;
using GitOps.Rollouts.Analysis;
using GitOps.Rollouts.Replay;
using GitOps.Rollouts.Rollout;
using GitOps.Specs;
using GitOps.Specs.Contracts;
using GitOps.Specs.Diagnostics;

namespace GitOps.Cli.Commands;

/// <summary>
/// <c>gitops analyze</c>: a rollout policy's analysis replayed over past data — Prometheus range queries or a
/// measurements file — with the assessment the reconciler uses, printed as a verdict timeline. Exit 0 when the
/// rollout would have gone on, 1 when it would have been aborted or paused for a human.
/// </summary>
public static partial class AnalyzeCommand
{
    public static Command Create()
    {
        var policy = new Option<string>("--policy") { Description = "The RolloutPolicy whose analysis to replay", Required = true };
        var model = new Option<string?>("--model") { Description = "The model whose data to replay (from the measurements file when one is given)" };
        var env = new Option<string?>("--env") { Description = "Environment: its namespace fills {{namespace}}, its prometheus.url is the default --prometheus" };
        var prometheus = new Option<string?>("--prometheus") { Description = "Prometheus base URL to read past data from (default: the environment's prometheus.url)", HelpName = "URL" };
        var from = new Option<string?>("--from") { Description = "Start of the window: a time (2026-03-04T14:00:00Z) or a duration before now (2h)", HelpName = "TIME" };
        var to = new Option<string?>("--to") { Description = "End of the window: a time or a duration before now (default: now, or the last measurement)", HelpName = "TIME" };
        var version = new Option<string?>("--version") { Description = "The canary version whose data to replay (fills {{version}})" };
        var track = new Option<string>("--track") { Description = "Which pods' data to replay (fills {{track}})", DefaultValueFactory = _ => RolloutMachine.CanaryTrack };
        var templates = new Option<string[]>("--template") { Description = "Only these analysis templates (repeatable; default: every template of the policy)", AllowMultipleArgumentsPerToken = true };
        var measurements = new Option<string?>("--measurements", "-f") { Description = "Replay a measurements file (or the output of gitops rollout status -o json) instead of Prometheus", HelpName = "FILE" };
        var output = OutputOption.Create("text (the verdict timeline) or json", "text", "json");
        var command = new Command("analyze", "Replay a rollout policy's analysis over past data and say what the rollout would have done")
        {
            policy, model, env, prometheus, from, to, version, track, templates, measurements, output,
        };
        var repository = RepositoryPath.AddTo(command);
        env.CompleteEnvironments(repository);
        model.CompleteModels(repository);
        command.WithExamples(
            ("gitops analyze --policy canary-standard --model fraud-detector --env prod --version 3f2a9c1e --from 2026-03-04T14:00:00Z --to 2026-03-04T15:00:00Z",
                "what the policy would have decided over an hour of the cluster's Prometheus data"),
            ("gitops analyze --policy canary-standard -f measurements.json", "replay recorded measurements under a changed policy (in CI)"));
        command.SetAction(async (ParseResult parse, CancellationToken ct) =>
        {
            var root = Path.GetFullPath(repository.Resolve(parse));
            var specs = RepositoryValidator.Validate(RepositoryReader.Read(root)).Specs;
            var policyName = parse.GetValue(policy)!;
            var policySpec = specs.RolloutPolicy(policyName) ?? throw new UserError(Unknown("--policy", policyName, "RolloutPolicy", specs.RolloutPolicies.Select(p => p.Name)));
            var rollout = RolloutPolicy.From(policySpec);
            var names = Metrics(rollout, parse.GetValue(templates) ?? []);
            var now = TimeProvider.System.GetUtcNow();
            ReplayResult result;
            JsonObject header;
            string heading;
            if (parse.GetValue(measurements) is { } file)
            {
                var recording = ReadRecording(file, parse.GetValue(model));
                if (recording.Observations.IsEmpty)
                {
                    throw new UserError($"{file} holds no measurements to replay.");
                }
                if (recording.UnknownMetric(policyName, [.. rollout.Metrics.Keys]) is { } unknown)
                {
                    throw new UserError($"{file}: {unknown}. Name the template the measurement answers in \"metric\", or replay the policy that defines it (--policy).");
                }
                var start = Time(parse.GetValue(from), now, "--from") ?? recording.Observations.Min(o => o.At);
                var end = Time(parse.GetValue(to), now, "--to") ?? recording.Observations.Max(o => o.At);
                result = AnalysisReplay.Run(rollout, names, recording.Observations, start, end);
                heading = $"Replaying rollout policy {policyName} ({string.Join(", ", names)}) over {file}"
                    + $"{Describe(recording.Model, recording.Version, recording.Environment)}, {RolloutTree.Time(start)} to {RolloutTree.Time(end)}";
                header = Header(policyName, recording.Model, recording.Environment, recording.Version, start, end, file);
            }
            else
            {
                var modelName = parse.GetValue(model) ?? throw new UserError("--model is needed to read the model's data from Prometheus (or pass a measurements file with -f).");
                var modelSpec = specs.Model(modelName) ?? throw new UserError(Unknown("--model", modelName, "Model", specs.Models.Select(m => m.Name)));
                // Templates that name a business KPI measure this model's KPI query.
                rollout = RolloutPolicy.From(policySpec, modelSpec);
                foreach (var name in names.Where(n => rollout.Metrics[n] is { Kpi: not null, Query.Length: 0 }))
                {
                    var kpis = modelSpec.Spec.Monitoring?.Kpis.Select(k => k.Name).ToList() ?? [];
                    throw new UserError($"analysis template {name} of {policyName} measures KPI '{rollout.Metrics[name].Kpi}', which model {modelName} does not define under spec.monitoring.kpis"
                        + (kpis.Count == 0 ? " (it has no KPIs)." : $" (its KPIs: {string.Join(", ", kpis)})."));
                }
                var environment = parse.GetValue(env) is { } e
                    ? specs.Environment(e) ?? throw new UserError(Unknown("--env", e, "Environment", specs.Environments.Select(x => x.Name)))
                    : null;
                var url = parse.GetValue(prometheus) ?? environment?.Spec.Prometheus?.Url
                    ?? throw new UserError("pass --prometheus URL (or an --env whose spec sets prometheus.url).");
                if (!Uri.TryCreate(url, UriKind.Absolute, out var baseUrl) || baseUrl.Scheme is not ("http" or "https"))
                {
                    throw new UserError($"--prometheus '{url}' is not an http(s) URL.");
                }
                var start = Time(parse.GetValue(from), now, "--from") ?? throw new UserError("--from is needed: the start of the window to replay (a time, or a duration before now such as 2h).");
                var end = Time(parse.GetValue(to), now, "--to") ?? now;
                if (end <= start)
                {
                    throw new UserError($"--to ({RolloutTree.Time(end)}) must be after --from ({RolloutTree.Time(start)}).");
                }
                var canary = parse.GetValue(version);
                if (canary is null && names.Any(n => VersionPlaceholder().IsMatch(rollout.Metrics[n].Query) || rollout.Metrics[n].MinSamples > 0))
                {
                    throw new UserError($"the analysis of {policyName} reads one version's data ({{{{version}}}} in a query, or minSamples counting its requests): "
                        + "pass --version, the canary version whose data to replay.");
                }
                var values = new QueryValues(modelName, canary ?? "", environment?.Spec.Namespace ?? "", parse.GetValue(track)!, environment?.Name ?? "");
                var options = new PrometheusOptions { BaseUrl = baseUrl, Timeout = TimeSpan.FromSeconds(30) };
                using var http = PrometheusClient.CreateHttpClient(options);
                var (observations, error) = await AnalysisHistory.ReadAsync(new PrometheusClient(http, options), rollout, names, values, start, end, ct);
                if (error is not null)
                {
                    await parse.Err().WriteLineAsync($"error: cannot read the past data from Prometheus: {error}");
                    return (int)ExitCode.Findings;
                }
                result = AnalysisReplay.Run(rollout, names, observations, start, end);
                heading = $"Replaying rollout policy {policyName} ({string.Join(", ", names)}) over Prometheus {baseUrl}"
                    + $"{Describe(modelName, canary, environment?.Name)}, {RolloutTree.Time(start)} to {RolloutTree.Time(end)}";
                header = Header(policyName, modelName, environment?.Name, canary, start, end, baseUrl.ToString());
            }
            var stdout = parse.Out();
            await stdout.WriteAsync(parse.GetValue(output) == "json" ? ReplayReport.Json(header, result) : ReplayReport.Text(heading, result));
            return (int)(result.Outcome == ReplayOutcome.Passed ? ExitCode.Success : ExitCode.Findings);
        });
        return command;
    }

    private static List<string> Metrics(RolloutPolicy policy, string[] chosen)
    {
        if (policy.Metrics.IsEmpty)
        {
            throw new UserError($"rollout policy {policy.Name} has no analysis templates: there is nothing to replay.");
        }
        if (chosen.Length == 0)
        {
            return [.. policy.Metrics.Keys.Order(StringComparer.Ordinal)];
        }
        foreach (var name in chosen.Where(n => !policy.Metrics.ContainsKey(n)))
        {
            throw new UserError(Unknown("--template", name, $"analysis template of {policy.Name}", policy.Metrics.Keys));
        }
        return [.. chosen.Distinct(StringComparer.Ordinal)];
    }

    private static MeasurementRecording ReadRecording(string file, string? model)
    {
        string text;
        try
        {
            text = System.Text.Encoding.UTF8.GetString(StandardInput.ReadAllBytes(file));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UserError($"cannot read the measurements file {StandardInput.Describe(file)}: {e.Message}");
        }
        return MeasurementRecording.Parse(text, model, out var error)
            ?? throw new UserError($"{file}: {error}. The format is described in docs/rollouts.md (Measurements file).");
    }

    /// <summary>A time (ISO 8601, UTC unless an offset is given) or a duration before now; null when not given.</summary>
    private static DateTimeOffset? Time(string? text, DateTimeOffset now, string option)
    {
        if (text is null)
        {
            return null;
        }
        if (Durations.TryParse(text, out var ago))
        {
            return now - ago;
        }
        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at))
        {
            return at;
        }
        throw new UserError($"{option} '{text}' is neither a time (2026-03-04T14:00:00Z) nor a duration before now (2h, 30m).");
    }

    private static string Unknown(string option, string value, string kind, IEnumerable<string> known)
    {
        var names = known.Order(StringComparer.Ordinal).ToList();
        var suggestion = Suggestions.Closest(value, names);
        return $"{option} '{value}' is not a {kind} of this repository"
            + (suggestion is not null ? $"; did you mean '{suggestion}'?" : $" (known: {(names.Count == 0 ? "none" : string.Join(", ", names))}).");
    }

    private static string Describe(string? model, string? version, string? environment) =>
        (model is null ? "" : $" for {model}") + (version is null || version.Length == 0 ? "" : $" {version}") + (environment is null ? "" : $" in {environment}");

    private static JsonObject Header(string policy, string? model, string? environment, string? version, DateTimeOffset from, DateTimeOffset to, string source) => new()
    {
        ["policy"] = policy,
        ["model"] = model,
        ["environment"] = environment,
        ["version"] = version,
        ["from"] = RolloutTree.Time(from),
        ["to"] = RolloutTree.Time(to),
        ["source"] = source,
    };

    [GeneratedRegex(@"\{\{\s*version\s*\}\}")]
    private static partial Regex VersionPlaceholder();
}

using System.CommandLine;
using System.Globalization;
using GitOps.Cli.Conventions;
using GitOps.Cli.Output;
using GitOps.Specs.Contracts;
using GitOps.Specs.Model;
using GitOps.Training.Artifacts;
using GitOps.Training.Builtin;
using GitOps.Training.Contract;
using GitOps.Training.Datasets;
using GitOps.Training.Onnx;

namespace GitOps.Cli.Commands;

/// <summary>
/// <c>gitops train</c>: the builtin tabular trainer (options or the trainer contract's environment
/// variables), <c>gitops train verify-output DIR</c> and <c>gitops train example</c>.
/// </summary>
public static class TrainCommand
{
    public static Command Create()
    {
        var dataset = new Option<string?>("--dataset") { Description = $"CSV dataset with a header row (env {TrainerEnvironment.Dataset})" };
        var datasetSha = new Option<string?>("--dataset-sha256") { Description = $"Expected sha256 of the dataset; a mismatch fails before training (env {TrainerEnvironment.DatasetSha256})" };
        var label = new Option<string?>("--label") { Description = $"Label column (env {TrainerEnvironment.Label})" };
        var features = new Option<string?>("--features") { Description = $"Comma-separated feature columns; default: every other column (env {TrainerEnvironment.Features})" };
        var task = new Option<string?>("--task") { Description = $"binaryClassification or regression (env {TrainerEnvironment.Task})" };
        var algorithm = new Option<string?>("--algorithm") { Description = $"{string.Join(", ", BuiltinAlgorithms.All)} (env {TrainerEnvironment.Algorithm})" };
        var seed = new Option<int?>("--seed") { Description = $"Random seed; same inputs and seed give the same model (env {TrainerEnvironment.Seed}, default 0)" };
        var param = new Option<string[]>("--param") { Description = $"Hyperparameter name=value, repeatable (env {TrainerEnvironment.Hyperparameters} as a JSON object)" };
        var output = new Option<string?>("--out") { Description = $"Output directory for model.onnx, metrics.json, lineage.json (env {TrainerEnvironment.OutputDir})" };
        var validation = new Option<double?>("--validation-fraction") { Description = $"Fraction of rows held out for evaluation (env {TrainerEnvironment.ValidationFraction}, default 0.2)" };

        var command = new Command("train", "Train a tabular model with the builtin trainer and write the output contract (docs/training.md)")
        {
            dataset, datasetSha, label, features, task, algorithm, seed, param, output, validation,
        };
        command.Subcommands.Add(CreateVerifyOutput());
        command.Subcommands.Add(CreateExample());
        command.Subcommands.Add(CreateProbe());
        command.WithExamples(
            ("gitops train --dataset fraud.csv --label is_fraud --task binaryClassification --algorithm fastTree --out out/", "train from a local CSV"),
            ("gitops train example", "generate the example dataset and train the example fraud model"));
        command.SetAction(async (ParseResult parse, CancellationToken ct) =>
        {
            var stdout = parse.InvocationConfiguration.Output;
            var stderr = parse.InvocationConfiguration.Error;
            var (fromEnvironment, envError) = TrainerEnvironment.Read(CliEnvironment.Current.Variable);
            if (fromEnvironment is null)
            {
                await stderr.WriteLineAsync($"error: {envError}");
                return (int)ExitCode.Usage;
            }
            var hyperparameters = ParseParams(parse.GetValue(param) ?? []);
            if (hyperparameters.Error is not null)
            {
                await stderr.WriteLineAsync($"error: {hyperparameters.Error}");
                return (int)ExitCode.Usage;
            }
            var fromOptions = new TrainerInputs
            {
                Dataset = parse.GetValue(dataset),
                DatasetSha256 = parse.GetValue(datasetSha),
                Label = parse.GetValue(label),
                Features = parse.GetValue(features) is { } f ? [.. f.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)] : null,
                Task = parse.GetValue(task),
                Algorithm = parse.GetValue(algorithm),
                Seed = parse.GetValue(seed),
                Hyperparameters = hyperparameters.Values,
                OutputDirectory = parse.GetValue(output),
                ValidationFraction = parse.GetValue(validation),
            };
            var inputs = TrainerEnvironment.Merge(fromOptions, fromEnvironment);
            if (inputs.Dataset is not null || inputs.DatasetUri is null)
            {
                var (request, requestError) = TrainerEnvironment.ToRequest(inputs);
                if (request is null)
                {
                    await stderr.WriteLineAsync($"error: {requestError}");
                    await stderr.WriteLineAsync("usage: gitops train --dataset data.csv --label y --task binaryClassification --algorithm fastTree --out out/ [--param numberOfTrees=100]");
                    return (int)ExitCode.Usage;
                }
            }
            var (token, tokenError) = ArtifactsToken.Read(CliEnvironment.Current.Variable);
            if (tokenError is not null)
            {
                await stderr.WriteLineAsync($"error: {tokenError}");
                return (int)ExitCode.Usage;
            }
            using var http = new HttpClient { Timeout = TimeSpan.FromMinutes(30) };
            var store = new ArtifactTransfer(http, token, CliEnvironment.Current.Variable);
            // In a training Job (the rendered pod names the version it trains) each step is written to standard
            // error as a line: kubectl logs and gitops up's status table read it. On a terminal the spinner shows it;
            // a person's piped run stays quiet.
            var logSteps = !CliEnvironment.Current.ErrorIsTerminal && CliEnvironment.Current.Get(TrainingContract.ModelVersion) is not null;
            var run = await ProgressDisplay.RunAsync(parse, $"Training {inputs.Algorithm ?? "model"}", update =>
                new ContractTrainingRun(store, TimeProvider.System).RunAsync(inputs, ct, new TrainingProgress.Relay(step =>
                {
                    update(step.ToString());
                    if (logSteps)
                    {
                        stderr.WriteLine(step.ToLogLine());
                        stderr.Flush();
                    }
                })));
            if (run.Training is null)
            {
                await stdout.WriteLineAsync($"{inputs.ArtifactUri} is already published (model.onnx sha256 {run.Published!.Sha256}); nothing trained");
                return (int)ExitCode.Success;
            }
            var exit = await ReportAsync(run.Training, stdout, stderr);
            if (exit == (int)ExitCode.Success && run.Published is { } published)
            {
                await stdout.WriteLineAsync($"Published {published.Written.Count} file(s) to {inputs.ArtifactUri}");
            }
            return exit;
        });
        return command;
    }

    private static async Task<int> TrainAsync(ParseResult parse, TrainingRequest request, CancellationToken ct) =>
        await ReportAsync(await ProgressDisplay.RunAsync(parse, $"Training {request.Algorithm} on {request.DatasetPath}",
            update => new TabularTrainer(TimeProvider.System).TrainAsync(request, ct, new TrainingProgress.Relay(step => update(step.ToString())))),
            parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error);

    private static async Task<int> ReportAsync(TrainingOutcome outcome, TextWriter stdout, TextWriter stderr)
    {
        if (!outcome.Succeeded)
        {
            await stderr.WriteLineAsync($"error: {outcome.Error}");
            return (int)outcome.ExitCode;
        }
        var result = outcome.Result!;
        var lineage = result.Lineage;
        await stdout.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"Trained {lineage.Algorithm} ({lineage.Task}) on {lineage.Dataset.TrainRows} rows, validated on {lineage.Dataset.ValidationRows} rows in {lineage.Timing.TotalSeconds:F1} s"));
        foreach (var (name, value) in result.Metrics)
        {
            await stdout.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"  {name,-10} {value:F4}"));
        }
        await stdout.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"  model      {result.Facts.SizeMb:F3} MB, latency p50 {result.Facts.LatencyP50Ms:F3} ms, p99 {result.Facts.LatencyP99Ms:F3} ms over {result.Facts.LatencyRuns} runs"));
        await stdout.WriteLineAsync($"Wrote {result.ModelPath}, {result.MetricsPath}, {result.LineagePath}");
        return (int)ExitCode.Success;
    }

    private static (System.Collections.Immutable.ImmutableSortedDictionary<string, string>? Values, string? Error) ParseParams(string[] items)
    {
        if (items.Length == 0)
        {
            return (null, null);
        }
        var values = System.Collections.Immutable.ImmutableSortedDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
        foreach (var item in items)
        {
            var eq = item.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                return (null, $"--param must look like name=value, found '{item}'");
            }
            values[item[..eq].Trim()] = item[(eq + 1)..].Trim();
        }
        return (values.ToImmutable(), null);
    }

    private static Command CreateVerifyOutput()
    {
        var directory = new Argument<string>("dir") { Description = "Directory written by a training run" };
        var datasetSha = new Option<string?>("--dataset-sha256") { Description = "sha256 the lineage must record for the dataset" };
        var command = new Command("verify-output", "Check a directory against the trainer output contract (model.onnx, metrics.json, lineage.json)")
        {
            directory, datasetSha,
        };
        command.WithExamples(("gitops train verify-output artifacts/fraud-example/model", "check a training output folder against the contract"));
        command.SetAction((ParseResult parse) =>
        {
            var stdout = parse.InvocationConfiguration.Output;
            var stderr = parse.InvocationConfiguration.Error;
            var dir = parse.GetValue(directory)!;
            if (!Directory.Exists(dir))
            {
                stderr.WriteLine($"error: {dir}: the directory does not exist. Pass the folder the trainer wrote (its --out, or {TrainerEnvironment.OutputDir} in a Job).");
                return (int)ExitCode.Usage;
            }
            var verification = OutputVerifier.Verify(dir, parse.GetValue(datasetSha));
            if (!verification.IsValid)
            {
                foreach (var problem in verification.Problems)
                {
                    stderr.WriteLine($"{Path.Combine(dir, problem.File)}: error: {problem.Message}");
                }
                stderr.WriteLine($"{verification.Problems.Length} problem(s); the contract is described in docs/training.md");
                return (int)ExitCode.Findings;
            }
            var signature = verification.Signature!;
            stdout.WriteLine($"{dir}: OK");
            stdout.WriteLine($"  inputs:  {string.Join(", ", signature.Inputs.Select(i => $"{i.Name} {i.Type}[{string.Join(",", i.Shape)}]"))}");
            stdout.WriteLine($"  outputs: {string.Join(", ", signature.Outputs.Select(o => $"{o.Name} {o.Type}[{string.Join(",", o.Shape)}]"))}");
            stdout.WriteLine($"  metrics: {string.Join(", ", verification.Metrics.Select(m => string.Create(CultureInfo.InvariantCulture, $"{m.Key}={m.Value:G6}")))}");
            var facts = verification.Facts!;
            stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  model:   sizeMb={facts.SizeMb:G6}, latencyP50Ms={facts.LatencyP50Ms:G6}, latencyP99Ms={facts.LatencyP99Ms:G6}"));
            return (int)ExitCode.Success;
        });
        return command;
    }

    private static Command CreateProbe()
    {
        var directory = new Argument<string>("dir") { Description = "Output directory holding model.onnx and metrics.json" };
        var runs = new Option<int>("--runs") { Description = "Timed inferences (after a warm-up)", DefaultValueFactory = _ => LatencyProbe.DefaultRuns };
        var command = new Command("probe", "Measure model.onnx (size, p50/p99 latency on ONNX Runtime) and record it as 'model' in metrics.json, for custom trainers")
        {
            directory, runs,
        };
        command.SetAction(async (ParseResult parse, CancellationToken ct) =>
        {
            var stdout = parse.InvocationConfiguration.Output;
            var stderr = parse.InvocationConfiguration.Error;
            var dir = parse.GetValue(directory)!;
            var modelPath = Path.Combine(dir, TrainingContract.ModelFile);
            var metricsPath = Path.Combine(dir, TrainingContract.MetricsFile);
            if (!File.Exists(modelPath) || !File.Exists(metricsPath))
            {
                await stderr.WriteLineAsync($"error: {dir}: needs {TrainingContract.ModelFile} and {TrainingContract.MetricsFile}; run the probe after training wrote them");
                return (int)ExitCode.Usage;
            }
            var (facts, error) = LatencyProbe.Measure(modelPath, parse.GetValue(runs), TimeProvider.System);
            if (facts is null)
            {
                await stderr.WriteLineAsync($"error: {error}");
                return (int)ExitCode.Findings;
            }
            System.Text.Json.Nodes.JsonObject metrics;
            try
            {
                metrics = System.Text.Json.Nodes.JsonNode.Parse(await File.ReadAllTextAsync(metricsPath, ct)) as System.Text.Json.Nodes.JsonObject
                    ?? throw new System.Text.Json.JsonException("not a JSON object");
            }
            catch (System.Text.Json.JsonException e)
            {
                await stderr.WriteLineAsync($"error: {metricsPath}: {e.Message}; write metrics.json as an object of metric name to number first");
                return (int)ExitCode.Findings;
            }
            metrics[GitOps.Registry.Records.MetricsFile.FactsKey] = System.Text.Json.JsonSerializer.SerializeToNode(GitOps.Registry.Records.MetricsFile.FactsObject(facts));
            await File.WriteAllTextAsync(metricsPath, metrics.ToJsonString(TrainerOutput.Json) + "\n", ct);
            await stdout.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"{modelPath}: {facts.SizeMb:F3} MB, latency p50 {facts.LatencyP50Ms:F3} ms, p99 {facts.LatencyP99Ms:F3} ms over {facts.LatencyRuns} runs; recorded in {metricsPath}"));
            return (int)ExitCode.Success;
        });
        command.WithExamples(("gitops train probe /output --runs 500", "measure the model a custom trainer wrote and record its size and latency in metrics.json"));
        return command;
    }

    private static Command CreateExample()
    {
        var output = new Option<string>("--out") { Description = "Directory for fraud.csv and the trained model", DefaultValueFactory = _ => "artifacts/fraud-example" };
        var rows = new Option<int>("--rows") { Description = "Rows of synthetic transactions", DefaultValueFactory = _ => FraudDataset.DefaultRows };
        var seed = new Option<int>("--seed") { Description = "Seed of the dataset and of training", DefaultValueFactory = _ => FraudDataset.DefaultSeed };
        var algorithm = new Option<string>("--algorithm") { Description = "Builtin algorithm", DefaultValueFactory = _ => BuiltinAlgorithms.FastTree };
        var command = new Command("example", "Generate the example fraud dataset and train the example fraud model")
        {
            output, rows, seed, algorithm,
        };
        command.WithExamples(("gitops train example --out artifacts/fraud-example", "dataset, model.onnx, metrics.json and lineage.json under artifacts/fraud-example"));
        command.SetAction(async (ParseResult parse, CancellationToken ct) =>
        {
            var stdout = parse.InvocationConfiguration.Output;
            var stderr = parse.InvocationConfiguration.Error;
            var dir = parse.GetValue(output)!;
            var rowCount = parse.GetValue(rows);
            if (rowCount < 100)
            {
                await stderr.WriteLineAsync($"error: --rows must be at least 100, found {rowCount}");
                return (int)ExitCode.Usage;
            }
            var csv = Path.Combine(dir, "fraud.csv");
            try
            {
                ProgressDisplay.Run(parse, $"Generating {csv}", () => { FraudDataset.WriteFile(csv, rowCount, parse.GetValue(seed)); return csv; });
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                await stderr.WriteLineAsync($"error: cannot write {csv}: {e.Message}");
                return (int)ExitCode.Usage;
            }
            await stdout.WriteLineAsync($"Generated {csv} ({rowCount} rows)");
            var request = new TrainingRequest
            {
                DatasetPath = csv,
                Label = FraudDataset.Label,
                Task = ModelTasks.BinaryClassification,
                Algorithm = parse.GetValue(algorithm)!,
                Seed = parse.GetValue(seed),
                OutputDirectory = Path.Combine(dir, "model"),
                ModelName = "fraud",
            };
            return await TrainAsync(parse, request, ct);
        });
        return command;
    }
}

using System.CommandLine;
using System.Globalization;
using System.Text;
using GitOps.Cli.Conventions;
using GitOps.Cli.Models;
using GitOps.Cli.Output;
using GitOps.Cli.Scoring;
using GitOps.Registry;
using GitOps.Registry.Stores;
using GitOps.Serving.Model;
using GitOps.Serving.Scoring;
using GitOps.Specs;
using GitOps.Specs.Contracts;
using GitOps.Specs.Model;
using GitOps.Training.Artifacts;
using Microsoft.Extensions.Logging.Abstractions;

namespace GitOps.Cli.Commands;

/// <summary>
/// <c>gitops score</c>: batch scoring of a CSV or Parquet file through the ONNX Runtime session code the inference server runs
/// (what a Model's <c>spec.batch</c> CronJob runs; docs/batch-scoring.md). Exit 0: every row scored; 1: malformed
/// rows skipped (<c>--on-error skip</c>), the rest written; 2: stopped, nothing written.
/// </summary>
public static class ScoreCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "ONNX model file (or a folder with model.onnx), or NAME[@VERSION] from the registry of --env or --store (default version: the one --env serves as stable, else the latest)", Required = true, HelpName = "MODEL" };
        var input = new Option<string>("--input") { Description = "Rows to score: a .csv or .parquet file as a path, file://, http(s):// or s3:// URI; {date} or {date:FORMAT} is filled with --date", Required = true, HelpName = "URI" };
        // --out, as gitops train and gitops artifacts fetch name the file they write: --output is every command's format.
        var output = new Option<string>("--out") { Description = "Where the scores go (.csv or .parquet), same schemes and placeholders; replaced (a local file) or created (a store) only when the run succeeds", Required = true, HelpName = "URI" };
        var batchSize = new Option<int>("--batch-size") { Description = "Rows per model run", DefaultValueFactory = _ => BatchErrorModes.DefaultBatchSize, HelpName = "N" };
        var onError = new Option<string>("--on-error") { Description = "A malformed row: fail stops the run (exit 2, nothing written); skip leaves it out, reports it and scores the rest (exit 1)", DefaultValueFactory = _ => BatchErrorModes.Fail };
        onError.AcceptOnlyFromAmong([.. BatchErrorModes.All]);
        var maxErrors = new Option<long?>("--max-errors") { Description = "With --on-error skip: the most malformed rows tolerated; one more stops the run", HelpName = "N" };
        var keys = new Option<string?>("--keys") { Description = "Comma-separated input columns copied to the output (ids); default: a row column with the row number", HelpName = "COLUMNS" };
        var name = new Option<string?>("--name") { Description = "Model name in the summary and metrics (default: the registry name, else the model's folder name)" };
        var version = new Option<string?>("--version") { Description = "Model version in the summary and metrics (default: the registry version, else 12 hex of the file's sha256)" };
        var env = new Option<string?>("--env") { Description = "Take NAME from the registry of this environment of the repository; its artifact store, as with --store, is where the store's token may go", HelpName = "ENV" };
        var store = new Option<string?>("--store") { Description = "The artifact store: NAME is taken from it (a path, file://, http(s):// or s3:// URI), and the store's token goes to --input and --out only on its host", HelpName = "URI" };
        var date = new Option<string?>("--date") { Description = "UTC date filled into {date} placeholders, yyyy-MM-dd (default: today); for re-running a past day", HelpName = "DATE" };
        var metricsFile = new Option<string?>("--metrics-file") { Description = "Write the run's metrics to this file in the node exporter textfile-collector format (replaced whole at the end)", HelpName = "FILE" };
        var threads = new Option<int>("--threads") { Description = "ONNX Runtime intra-op threads", DefaultValueFactory = _ => 1 };
        var device = new Option<string>("--device") { Description = "auto (CUDA when usable, else CPU), cpu or cuda", DefaultValueFactory = _ => "auto" };
        device.AcceptOnlyFromAmong("auto", "cpu", "cuda");
        var format = OutputOption.Create("text, or json (one line: what a CronJob's log keeps)", "text", "json");

        var command = new Command("score", "Score a file of rows in batches with an ONNX model, as a Model's spec.batch CronJob does (docs/batch-scoring.md)")
        {
            model, input, output, batchSize, onError, maxErrors, keys, name, version, env, store, date, metricsFile, threads, device, format,
        };
        var repository = RepositoryPath.AddTo(command);
        env.CompleteEnvironments(repository);
        command.WithExamples(
            ("gitops score --model artifacts/fraud-example/model --input fraud.csv --out scores.csv", "score a local CSV with a trained model"),
            ("gitops score --model fraud-detector --env prod --input s3://data/{date}.csv --out s3://scores/{date}.csv --on-error skip -o json", "score today's file with the version prod serves"));
        command.SetAction(async (ParseResult parse, CancellationToken ct) =>
        {
            var stderr = parse.Err();
            if (parse.GetValue(batchSize) < 1)
            {
                throw new UserError($"--batch-size must be at least 1, not {parse.GetValue(batchSize)}.");
            }
            if (parse.GetValue(threads) < 1)
            {
                throw new UserError($"--threads must be at least 1, not {parse.GetValue(threads)}.");
            }
            if (parse.GetValue(maxErrors) is < 0 and var tolerated)
            {
                throw new UserError($"--max-errors must be 0 or more, not {tolerated}.");
            }
            if (parse.GetValue(name) is { } named && string.IsNullOrWhiteSpace(named) || parse.GetValue(version) is { } versioned && string.IsNullOrWhiteSpace(versioned))
            {
                throw new UserError("--name and --version must not be empty; leave them out to take the registry's or the file's.");
            }
            if (parse.GetValue(maxErrors) is not null && parse.GetValue(onError) != BatchErrorModes.Skip)
            {
                await stderr.WriteLineAsync("warning: --max-errors has no effect without --on-error skip: the first malformed row stops the run.");
            }
            var at = TimeProvider.System.GetUtcNow();
            if (parse.GetValue(date) is { } dateText)
            {
                at = DateTimeOffset.TryParseExact(dateText, DatasetTemplates.DefaultDateFormat, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed)
                    ? parsed
                    : throw new UserError($"--date '{dateText}' is not a date in the form yyyy-MM-dd, e.g. 2026-11-30.");
            }
            var inputUri = Resolve(parse.GetValue(input)!, "--input", at);
            var outputUri = Resolve(parse.GetValue(output)!, "--out", at);
            if (inputUri == outputUri)
            {
                throw new UserError($"--out '{outputUri}' is the input; write the scores to another file.");
            }
            var options = new ScoringOptions
            {
                BatchSize = parse.GetValue(batchSize),
                SkipMalformed = parse.GetValue(onError) == BatchErrorModes.Skip,
                MaxErrors = parse.GetValue(maxErrors),
                Keys = parse.GetValue(keys) is { } k ? [.. k.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)] : [],
            };
            if (parse.GetValue(metricsFile) is { } metricsTarget)
            {
                CheckMetricsFile(metricsTarget);
            }
            ScoreModel resolved;
            try
            {
                resolved = await ScoreModel.ResolveAsync(parse.GetValue(model)!, parse.GetValue(name), parse.GetValue(version), repository.Resolve(parse),
                    parse.GetValue(env), parse.GetValue(store), ct);
            }
            catch (Exception e) when (e is ArtifactStoreException or RegistryDataException)
            {
                // A store that cannot be read may answer later: a failed operation, as for 'gitops models'.
                await stderr.WriteLineAsync($"error: {e.Message}");
                return (int)ExitCode.Findings;
            }
            using var scoreModel = resolved;
            OnnxModel onnx;
            try
            {
                onnx = OnnxModel.Load(scoreModel.Path, new ModelSessionOptions
                {
                    Threads = parse.GetValue(threads),
                    Device = Enum.Parse<DevicePreference>(parse.GetValue(device)!, ignoreCase: true),
                }, NullLogger.Instance);
            }
            catch (ModelLoadException e)
            {
                throw new UserError(e.Message);
            }
            using var loaded = onnx;
            var (token, tokenError) = ArtifactsToken.Read(CliEnvironment.Current.Variable);
            if (tokenError is not null)
            {
                throw new UserError(tokenError);
            }
            using var http = new HttpClient { Timeout = TimeSpan.FromMinutes(10) };
            // --input and --out are data that may live on any host: the store's token goes to the store's origin only.
            // The store the model came from is already located; a model file with --env locates the environment's.
            var storeUri = scoreModel.StoreUri ?? parse.GetValue(store)
                ?? (parse.GetValue(env) is { } environment ? RegistryTarget.StoreUri(repository.Resolve(parse), environment, null) : null);
            var scope = TokenScope.Store(storeUri, "if the file is in the artifact store, name the store with --store URI or --env ENV");
            using var files = new ScoreFiles(new ArtifactTransfer(http, token, CliEnvironment.Current.Variable, scope));
            var localInput = await files.LocalInputAsync(inputUri, ct);
            var staging = files.StagingFor(outputUri);

            ScoringSummary summary;
            var unreadable = false;
            var scorer = new BatchScorer(onnx, TimeProvider.System);
            try
            {
                summary = await ProgressDisplay.RunAsync(parse, $"Scoring {inputUri}", async update =>
                {
                    await using var source = BatchFiles.FormatOf(inputUri) == BatchFiles.Parquet
                        ? await ParquetRowSource.OpenAsync(inputUri, localInput, ct)
                        : (IRowSource)await CsvRowSource.OpenAsync(inputUri, new StreamReader(localInput, Encoding.UTF8, true, 1 << 16), ct);
                    await using var sink = BatchFiles.FormatOf(outputUri) == BatchFiles.Parquet
                        ? new ParquetScoreSink(File.Create(staging))
                        : (IScoreSink)new CsvScoreSink(new StreamWriter(staging, false, new UTF8Encoding(false), 1 << 16));
                    return await scorer.ScoreAsync(source, sink, options,
                        p => update($"{p.Rows:N0} rows, {p.Errors:N0} malformed, {p.RowsPerSecond:N0} rows/s"), ct);
                });
            }
            catch (ScoringInputException e)
            {
                // A problem of the file, not of a row: it stops the run and counts no malformed row.
                summary = new ScoringSummary(0, 0, 0, TimeSpan.Zero, [], new RowError(e.Location, e.Problem));
                unreadable = true;
            }
            if (summary.Stopped is null)
            {
                await files.CommitAsync(staging, outputUri, ct);
            }
            var report = new ScoreReport(scoreModel.Name, scoreModel.Version, inputUri, outputUri, summary, TimeProvider.System.GetUtcNow());
            foreach (var line in report.ErrorLines(stoppedIsError: true))
            {
                await stderr.WriteLineAsync(line);
            }
            if (report.Outcome == ScoreReport.Stopped)
            {
                await stderr.WriteLineAsync(unreadable ? $"Nothing was written to {outputUri}: the input cannot be scored as it is; fix its header or pick another model."
                    : options.SkipMalformed
                    ? $"Nothing was written to {outputUri}: fix the input, or raise --max-errors."
                    : $"Nothing was written to {outputUri}: fix the row, or run with --on-error skip to leave malformed rows out.");
            }
            await parse.Out().WriteAsync(parse.GetValue(format) == "json" ? report.Json() : report.Text());
            if (parse.GetValue(metricsFile) is { } metricsPath)
            {
                await WriteMetricsAsync(metricsPath, report.Metrics(), ct);
            }
            return (int)report.ExitCode;
        });
        return command;
    }

    private static string Resolve(string uri, string option, DateTimeOffset at)
    {
        if (DatasetTemplates.Check(uri) is { } problem)
        {
            throw new UserError($"{option} '{uri}' cannot be resolved: {problem}.");
        }
        var resolved = DatasetTemplates.Resolve(uri, at);
        return BatchFiles.FormatOf(resolved) is not null
            ? resolved
            : throw new UserError($"{option} '{resolved}' is neither a .csv nor a .parquet file; the format is told by the file name's extension.");
    }

    /// <summary>Refuses a metrics file that could not be written before any score is: exit 2 means nothing was written.</summary>
    private static void CheckMetricsFile(string path)
    {
        var full = Path.GetFullPath(path);
        if (Directory.Exists(full))
        {
            throw new UserError($"--metrics-file '{path}' is a folder; name a file in it, e.g. {Path.Combine(path, "gitops-score.prom")}.");
        }
        if (Path.GetDirectoryName(full) is { } folder && !Directory.Exists(folder))
        {
            throw new UserError($"--metrics-file '{path}': the folder {folder} does not exist.");
        }
    }

    /// <summary>Replaces the file whole (written beside it, then renamed), as the textfile collector requires.</summary>
    private static async Task WriteMetricsAsync(string path, string text, CancellationToken ct)
    {
        var full = Path.GetFullPath(path);
        var temporary = Path.Combine(Path.GetDirectoryName(full)!, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.partial");
        try
        {
            await File.WriteAllTextAsync(temporary, text, ct);
            File.Move(temporary, full, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            if (File.Exists(temporary))
            {
                File.Delete(temporary);
            }
            throw new UserError($"--metrics-file '{path}' cannot be written: {e.Message}");
        }
    }
}

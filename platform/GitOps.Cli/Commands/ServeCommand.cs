using System.CommandLine;
using System.Globalization;
using GitOps.Cli.Conventions;
using GitOps.Serving.Batching;
using GitOps.Serving.Caching;
using GitOps.Serving.Faults;
using GitOps.Serving.Hosting;
using GitOps.Serving.Model;
using GitOps.Serving.Monitoring;
using GitOps.Specs;
using GitOps.Specs.Contracts;
using Microsoft.Extensions.Logging;

namespace GitOps.Cli.Commands;

/// <summary><c>gitops serve</c>: the ONNX Runtime inference server (Open Inference Protocol v2, docs/serving.md).</summary>
public static class ServeCommand
{
    /// <summary>Environment variable holding the bearer token, so it need not appear in the process arguments.</summary>
    public const string TokenVariable = EnvironmentVariables.ServingToken;

    private static readonly string[] Tracks = ["stable", "canary"];

    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "Path of the ONNX model", Required = true };
        var name = new Option<string>("--name") { Description = "Model name served at /v2/models/{name}", Required = true };
        name.CompleteModels(repository: null);
        var version = new Option<string>("--version") { Description = "Model version (metric label and /versions/{version} routes)", DefaultValueFactory = _ => "1" };
        var track = new Option<string>("--track") { Description = "Rollout track: stable or canary (metric label)", DefaultValueFactory = _ => "stable" };
        track.AcceptOnlyFromAmong([.. Tracks]);
        var host = new Option<string>("--host") { Description = "Address to listen on", DefaultValueFactory = _ => "127.0.0.1" };
        var port = new Option<int>("--port") { Description = "Port to listen on (0 = any free port)", DefaultValueFactory = _ => 8080 };
        var grpcPort = new Option<int?>("--grpc-port") { Description = "Also serve the Open Inference Protocol over gRPC (plain-text HTTP/2) on this port, e.g. 8081 (default: no gRPC)", HelpName = "PORT" };
        var maxBatchSize = new Option<int>("--max-batch-size") { Description = "Rows merged into one model run; 1 turns batching off", DefaultValueFactory = _ => 64 };
        var maxBatchDelay = DurationOption.Create("--max-batch-delay", "How long a request may wait for others to join its batch, e.g. 2ms; 0 = greedy: only requests that queued while the model was busy (a bare number is milliseconds)", "0", TimeSpan.FromMilliseconds(1));
        var maxConcurrency = new Option<int>("--max-concurrency") { Description = "Infer requests processed at once; more get 429", DefaultValueFactory = _ => 256 };
        var threads = new Option<int>("--threads") { Description = "ONNX Runtime intra-op threads per inference", DefaultValueFactory = _ => 1 };
        var token = new Option<string?>("--token") { Description = $"Require 'Authorization: Bearer <token>' on model endpoints (or env {TokenVariable})" };
        var tokenFile = new Option<string?>("--token-file") { Description = "Read the bearer token from a file (a mounted Secret); exclusive with --token" };
        var device = new Option<string>("--device") { Description = "auto (CUDA when usable, else CPU), cpu or cuda", DefaultValueFactory = _ => "auto" };
        device.AcceptOnlyFromAmong("auto", "cpu", "cuda");
        var maxBody = new Option<long>("--max-body-bytes") { Description = "Largest accepted request body; larger ones get 413", DefaultValueFactory = _ => 4 * 1024 * 1024 };
        var shutdownTimeout = DurationOption.Create("--shutdown-timeout", "How long accepted requests may finish on shutdown (a bare number is seconds)", "30s", TimeSpan.FromSeconds(1));
        var scoreOutput = new Option<string?>("--score-output") { Description = "Output recorded in the score histogram (default Probability, then Score)" };
        var scoreBuckets = new Option<string?>("--score-buckets") { Description = "Comma-separated upper bounds of the score histogram (default 0.05..0.95)" };
        var faultErrors = new Option<double?>("--fault-errors") { Description = $"Testing only: answer this fraction of infer requests with 500, e.g. 0.2 (or env {EnvironmentVariables.FaultErrors}; default 0)", HelpName = "FRACTION" };
        var faultLatency = DurationOption.Create("--fault-latency", $"Testing only: add this latency to every infer request, e.g. 200ms (or env {EnvironmentVariables.FaultLatency}; default 0)", defaultValue: null, TimeSpan.FromMilliseconds(1));
        var faultTrack = new Option<string?>("--fault-track") { Description = $"Inject the faults only when --track is this: stable or canary (or env {EnvironmentVariables.FaultTrack}; default any track)" };
        faultTrack.AcceptOnlyFromAmong([.. Tracks]);
        var profileOption = new Option<string?>("--profile") { Description = $"Training profile to measure drift and data quality against (default: {TrainingProfile.File} beside --model, when there is one)", HelpName = "FILE" };
        var noDrift = new Option<bool>("--no-drift") { Description = "Measure no drift or data quality, even with a training profile" };
        var cache = new Option<string>("--cache") { Description = "Response cache for repeated inputs: off, memory (per server, LRU) or redis (shared by replicas)", DefaultValueFactory = _ => "off" };
        cache.AcceptOnlyFromAmong("off", "memory", "redis");
        var cacheMaxBytes = new Option<string>("--cache-max-bytes") { Description = "Memory cache: size bound, e.g. 64Mi or 1Gi; the least recently used answers go first", DefaultValueFactory = _ => "64Mi", HelpName = "SIZE" };
        var cacheTtl = DurationOption.Create("--cache-ttl", "How long an answer is kept, e.g. 10m (default: until evicted in memory, 1 day in Redis; a bare number is seconds)", defaultValue: null, TimeSpan.FromSeconds(1));
        var cacheRedis = new Option<string?>("--cache-redis") { Description = $"Redis cache: host:port[,password=...] (or env {EnvironmentVariables.CacheRedis})", HelpName = "ADDRESS" };
        var cacheRedisPasswordFile = new Option<string?>("--cache-redis-password-file") { Description = "Redis cache: read the password from a file (a mounted Secret)", HelpName = "FILE" };
        var driftWindow = new Option<int>("--drift-window") { Description = "Rows per feature in the sliding window drift is measured over", DefaultValueFactory = _ => 2000, HelpName = "ROWS" };

        var command = new Command("serve", "Serve an ONNX model over the Open Inference Protocol v2 (REST, and gRPC with --grpc-port) with Prometheus metrics")
        {
            model, name, version, track, host, port, grpcPort, maxBatchSize, maxBatchDelay, maxConcurrency, threads, token, tokenFile, device, maxBody, shutdownTimeout, scoreOutput, scoreBuckets,
            faultErrors, faultLatency, faultTrack, profileOption, noDrift, driftWindow, cache, cacheMaxBytes, cacheTtl, cacheRedis, cacheRedisPasswordFile,
        };
        command.WithExamples(
            ("gitops serve --model artifacts/fraud-example/model/model.onnx --name fraud-detector --port 8080", "serve a model on 127.0.0.1:8080"),
            ("gitops serve --model model.onnx --name fraud-detector --port 8080 --grpc-port 8081", "REST on 8080 and the gRPC inference service on 8081"),
            ("GITOPS_SERVING_TOKEN=secret gitops serve --model model.onnx --name fraud --host 0.0.0.0 --max-batch-delay 2ms", "require a bearer token and batch for up to 2 ms"),
            ("gitops serve --model model.onnx --name fraud --cache memory --cache-max-bytes 256Mi", "answer repeated inputs from a 256 MiB in-memory cache"),
            ("GITOPS_SERVING_FAULT_ERRORS=0.3 GITOPS_SERVING_FAULT_TRACK=canary gitops up", "game day: every canary gitops up starts answers 30% of requests with 500"));
        // A synchronous action on purpose: the command line library gives asynchronous actions only a short
        // grace period after SIGTERM before it ends the process, which would cut the drain short. With a
        // synchronous action the web host's own SIGTERM/Ctrl+C handling stops the server, and it drains fully.
        command.SetAction((ParseResult parse) => RunAsync(parse).GetAwaiter().GetResult());
        return command;

        async Task<int> RunAsync(ParseResult parse)
        {
            var ct = CancellationToken.None;
            var stderr = parse.InvocationConfiguration.Error;
            System.Collections.Immutable.ImmutableArray<double>? buckets = null;
            if (parse.GetValue(scoreBuckets) is { } bucketText)
            {
                var parsed = bucketText.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                    .Select(b => double.TryParse(b, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : double.NaN)
                    .ToList();
                if (parsed.Count == 0 || parsed.Any(double.IsNaN) || parsed.Zip(parsed.Skip(1)).Any(p => p.First >= p.Second))
                {
                    await stderr.WriteLineAsync($"error: --score-buckets must be increasing numbers separated by commas, found '{bucketText}'");
                    return (int)ExitCode.Usage;
                }
                buckets = [.. parsed];
            }
            var faults = ReadFaults(parse, faultErrors, faultLatency, faultTrack, out var faultProblem);
            if (faultProblem is not null)
            {
                await stderr.WriteLineAsync($"error: {faultProblem}");
                return (int)ExitCode.Usage;
            }
            var tokenValue = parse.GetValue(token) ?? CliEnvironment.Current.Get(TokenVariable);
            if (parse.GetValue(tokenFile) is { } tokenPath)
            {
                if (parse.GetValue(token) is not null)
                {
                    await stderr.WriteLineAsync("error: --token and --token-file are exclusive; keep --token-file (a mounted Secret)");
                    return (int)ExitCode.Usage;
                }
                try
                {
                    // kubectl create secret --from-file keeps the file's trailing newline; it is not part of the token.
                    tokenValue = (await File.ReadAllTextAsync(tokenPath, ct)).TrimEnd('\r', '\n');
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    await stderr.WriteLineAsync($"error: cannot read --token-file {tokenPath}: {e.Message}");
                    return (int)ExitCode.Usage;
                }
                if (tokenValue.Length == 0)
                {
                    await stderr.WriteLineAsync($"error: --token-file {tokenPath} is empty; put the token in the Secret's key");
                    return (int)ExitCode.Usage;
                }
            }
            var (profile, profileError) = parse.GetValue(noDrift) ? (null, null) : await ReadProfileAsync(parse.GetValue(model)!, parse.GetValue(profileOption), ct);
            if (profileError is not null)
            {
                await stderr.WriteLineAsync($"error: {profileError}");
                return (int)ExitCode.Usage;
            }
            if (parse.GetValue(driftWindow) < DriftMonitor.MinRows)
            {
                await stderr.WriteLineAsync($"error: --drift-window is {parse.GetValue(driftWindow)}; use at least {DriftMonitor.MinRows} rows, or --no-drift");
                return (int)ExitCode.Usage;
            }
            if (!Quantities.TryParseValue(parse.GetValue(cacheMaxBytes), out var maxBytes) || maxBytes < 0 || maxBytes > long.MaxValue)
            {
                await stderr.WriteLineAsync($"error: --cache-max-bytes must be a size such as 64Mi or 1Gi, found '{parse.GetValue(cacheMaxBytes)}'");
                return (int)ExitCode.Usage;
            }
            string? redisPassword = null;
            if (parse.GetValue(cacheRedisPasswordFile) is { } passwordPath)
            {
                try
                {
                    redisPassword = (await File.ReadAllTextAsync(passwordPath, ct)).TrimEnd('\r', '\n');
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    await stderr.WriteLineAsync($"error: cannot read --cache-redis-password-file {passwordPath}: {e.Message}");
                    return (int)ExitCode.Usage;
                }
            }
            var cacheOptions = new ResponseCacheOptions
            {
                Store = Enum.Parse<ResponseCacheStore>(parse.GetValue(cache)!, ignoreCase: true),
                MaxBytes = (long)maxBytes,
                TimeToLive = parse.GetResult(cacheTtl) is null ? null : parse.GetValue(cacheTtl),
                Redis = parse.GetValue(cacheRedis) ?? (CliEnvironment.Current.Get(EnvironmentVariables.CacheRedis) is { Length: > 0 } redis ? redis : null),
                RedisPassword = redisPassword,
            };
            var options = new ServerOptions
            {
                ModelPath = parse.GetValue(model)!,
                ModelName = parse.GetValue(name)!,
                ModelVersion = parse.GetValue(version)!,
                Track = parse.GetValue(track)!,
                Host = parse.GetValue(host)!,
                Port = parse.GetValue(port),
                GrpcPort = parse.GetValue(grpcPort),
                Batching = new BatchingOptions
                {
                    MaxBatchSize = parse.GetValue(maxBatchSize),
                    MaxDelay = parse.GetValue(maxBatchDelay),
                },
                MaxConcurrency = parse.GetValue(maxConcurrency),
                Session = new ModelSessionOptions
                {
                    Threads = parse.GetValue(threads),
                    Device = Enum.Parse<DevicePreference>(parse.GetValue(device)!, ignoreCase: true),
                },
                Token = tokenValue,
                MaxRequestBodyBytes = parse.GetValue(maxBody),
                ShutdownTimeout = parse.GetValue(shutdownTimeout),
                ScoreOutput = parse.GetValue(scoreOutput),
                ScoreBuckets = buckets,
                Faults = faults,
                Profile = profile,
                MeasureDrift = !parse.GetValue(noDrift),
                DriftWindow = parse.GetValue(driftWindow),
                Cache = cacheOptions,
            };
            var problems = options.Validate();
            if (!problems.IsEmpty)
            {
                foreach (var problem in problems)
                {
                    await stderr.WriteLineAsync($"error: {problem}");
                }
                return (int)ExitCode.Usage;
            }

            InferenceServer server;
            try
            {
                server = await InferenceServer.StartAsync(options, logging => logging.AddSimpleConsole(o =>
                {
                    o.SingleLine = true;
                    o.UseUtcTimestamp = true;
                    o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
                }).AddFilter("Microsoft", LogLevel.Warning).AddFilter(ListenFailure.HostCategory, LogLevel.None), TimeProvider.System, ct);
            }
            catch (ModelLoadException e)
            {
                await stderr.WriteLineAsync($"error: {e.Message}");
                return (int)ExitCode.Usage;
            }
            catch (ArgumentException e)
            {
                await stderr.WriteLineAsync($"error: {e.Message}");
                return (int)ExitCode.Usage;
            }
            catch (Exception e) when (ListenFailure.Is(e))
            {
                await stderr.WriteLineAsync("error: " + ListenFailure.Describe($"{options.Host}:{options.Port}{(options.GrpcPort is { } g ? $" and :{g} (gRPC)" : "")}", e,
                    "Pass another --port (0 picks a free one) or --host (an address of this machine, 127.0.0.1 by default)."));
                return (int)ExitCode.Usage;
            }
            // Returns when the host stops on SIGTERM or Ctrl+C; readiness has dropped by then and the stop drains.
            await server.WaitForShutdownAsync(ct);
            await server.StopAsync(CancellationToken.None);
            return (int)ExitCode.Success;
        }
    }

    /// <summary>The fault injection options: each flag, else its environment variable (so that one setting on
    /// <c>gitops up</c>, or on a Deployment, reaches the servers), else off.</summary>
    /// <summary>The training profile: the named file (it must exist and parse), else <c>profile.json</c> beside the
    /// model when there is one (a version trained before profiles were written has none: no drift metrics).</summary>
    private static async Task<(TrainingProfile? Profile, string? Error)> ReadProfileAsync(string modelPath, string? named, CancellationToken ct)
    {
        var path = named ?? Path.Combine(Path.GetDirectoryName(Path.GetFullPath(modelPath))!, TrainingProfile.File);
        if (named is null && !File.Exists(path))
        {
            return (null, null);
        }
        byte[] bytes;
        try
        {
            bytes = await File.ReadAllBytesAsync(path, ct);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return (null, $"cannot read the training profile {path}: {e.Message.TrimEnd('.')}. Pass another --profile, or --no-drift");
        }
        var (profile, error) = TrainingProfile.Parse(bytes);
        return profile is null
            ? (null, $"the training profile {path} is not usable: {error}. Retrain to write a new one, pass another --profile, or --no-drift")
            : (profile, null);
    }

    private static FaultInjectionOptions ReadFaults(ParseResult parse, Option<double?> errors, Option<TimeSpan> latency, Option<string?> track, out string? problem)
    {
        problem = null;
        var environment = CliEnvironment.Current;
        var fraction = parse.GetValue(errors);
        if (fraction is null && environment.Get(EnvironmentVariables.FaultErrors) is { Length: > 0 } fractionText)
        {
            if (!double.TryParse(fractionText, NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed))
            {
                problem = $"{EnvironmentVariables.FaultErrors} must be a fraction between 0 and 1 (e.g. 0.2), found '{fractionText}'";
                return FaultInjectionOptions.None;
            }
            fraction = parsed;
        }
        var delay = parse.GetResult(latency) is null ? (TimeSpan?)null : parse.GetValue(latency);
        if (delay is null && environment.Get(EnvironmentVariables.FaultLatency) is { Length: > 0 } latencyText)
        {
            if (!Durations.TryParse(latencyText, out var parsed))
            {
                problem = $"{EnvironmentVariables.FaultLatency} must be a duration such as 200ms, found '{latencyText}'";
                return FaultInjectionOptions.None;
            }
            delay = parsed;
        }
        var only = parse.GetValue(track);
        if (only is null && EnvironmentChoices.Problem(EnvironmentVariables.FaultTrack, Tracks) is { } wrongTrack)
        {
            problem = wrongTrack;
            return FaultInjectionOptions.None;
        }
        only ??= EnvironmentChoices.Get(EnvironmentVariables.FaultTrack, Tracks);
        return new FaultInjectionOptions { ErrorFraction = fraction ?? 0, Latency = delay ?? TimeSpan.Zero, Track = only };
    }
}

using System.Collections.Immutable;
using GitOps.Serving.Batching;
using GitOps.Serving.Caching;
using GitOps.Serving.Faults;
using GitOps.Serving.Model;
using GitOps.Specs;
using GitOps.Specs.Contracts;

namespace GitOps.Serving.Hosting;

/// <summary>Everything <c>gitops serve</c> is configured with (see <c>docs/serving.md</c>).</summary>
public sealed record ServerOptions
{
    public required string ModelPath { get; init; }
    public required string ModelName { get; init; }
    public string ModelVersion { get; init; } = "1";
    /// <summary><c>stable</c> or <c>canary</c>: the rollout track this pod serves, a label on every metric.</summary>
    public string Track { get; init; } = "stable";
    /// <summary>Address to listen on; loopback unless told otherwise.</summary>
    public string Host { get; init; } = "127.0.0.1";
    /// <summary>Port to listen on; 0 picks a free one (see <see cref="InferenceServer.BaseAddress"/>).</summary>
    public int Port { get; init; } = 8080;
    /// <summary>Port of the Open Inference Protocol gRPC endpoint (plain-text HTTP/2) on <see cref="Host"/>; null: no gRPC.
    /// 0 picks a free one (see <see cref="InferenceServer.GrpcAddress"/>).</summary>
    public int? GrpcPort { get; init; }
    public BatchingOptions Batching { get; init; } = new();
    /// <summary>Infer requests processed at once; more are answered 429.</summary>
    public int MaxConcurrency { get; init; } = 256;
    public ModelSessionOptions Session { get; init; } = new();
    /// <summary>When set, model endpoints require <c>Authorization: Bearer &lt;token&gt;</c>.</summary>
    public string? Token { get; init; }
    public long MaxRequestBodyBytes { get; init; } = 4 * 1024 * 1024;
    /// <summary>How long shutdown waits for accepted requests to finish.</summary>
    public TimeSpan ShutdownTimeout { get; init; } = TimeSpan.FromSeconds(30);
    /// <summary>Output recorded in the score histogram; default Probability, then Score, then the first float output.</summary>
    public string? ScoreOutput { get; init; }
    public ImmutableArray<double>? ScoreBuckets { get; init; }
    /// <summary>The version's training profile (<c>profile.json</c>); drift and data quality are measured against it.
    /// None: no drift metrics.</summary>
    public TrainingProfile? Profile { get; init; }
    /// <summary>False when drift was turned off on purpose (<c>--no-drift</c>): then a missing profile is not warned about.</summary>
    public bool MeasureDrift { get; init; } = true;
    /// <summary>Rows per feature in the drift window.</summary>
    public int DriftWindow { get; init; } = 2000;
    /// <summary>Faults added on purpose (game days, tests of rollout analysis); none by default.</summary>
    public FaultInjectionOptions Faults { get; init; } = FaultInjectionOptions.None;
    /// <summary>Answers to repeated inputs kept in memory or Redis; off by default.</summary>
    public ResponseCacheOptions Cache { get; init; } = ResponseCacheOptions.Off;

    public static readonly ImmutableArray<string> Tracks = ["stable", "canary"];

    /// <summary>Problems with the options, each naming the option and what it should be.</summary>
    public ImmutableArray<string> Validate()
    {
        var problems = ImmutableArray.CreateBuilder<string>();
        if (string.IsNullOrWhiteSpace(ModelName)) { problems.Add("--name must not be empty"); }
        else if (ModelName.IndexOfAny(['/', '?', '#', '%', ' ', '\\']) >= 0) { problems.Add($"--name '{ModelName}' cannot be part of the URL /v2/models/{{name}}: use letters, digits, '-', '_' and '.'"); }
        if (string.IsNullOrWhiteSpace(ModelVersion)) { problems.Add("--version must not be empty"); }
        if (!Tracks.Contains(Track)) { problems.Add($"--track must be stable or canary, found '{Track}'"); }
        if (Port is < 0 or > 65535) { problems.Add($"--port must be between 0 and 65535, found {Port}"); }
        if (GrpcPort is < 0 or > 65535) { problems.Add($"--grpc-port must be between 0 and 65535, found {GrpcPort}"); }
        if (GrpcPort is { } grpc && grpc != 0 && grpc == Port) { problems.Add($"--grpc-port must differ from --port ({Port}): gRPC needs a port of its own"); }
        if (Batching.MaxBatchSize < 1) { problems.Add($"--max-batch-size must be at least 1 (1 turns batching off), found {Batching.MaxBatchSize}"); }
        if (Batching.MaxDelay < TimeSpan.Zero || Batching.MaxDelay > TimeSpan.FromSeconds(10)) { problems.Add($"--max-batch-delay must be between 0 and 10s, found {Durations.Format(Batching.MaxDelay)}"); }
        if (MaxConcurrency < 1) { problems.Add($"--max-concurrency must be at least 1, found {MaxConcurrency}"); }
        if (Session.Threads < 1) { problems.Add($"--threads must be at least 1, found {Session.Threads}"); }
        if (MaxRequestBodyBytes < 1024) { problems.Add($"--max-body-bytes must be at least 1024, found {MaxRequestBodyBytes}"); }
        if (Token is { Length: 0 }) { problems.Add("--token must not be empty when given"); }
        problems.AddRange(Faults.Validate(Tracks));
        problems.AddRange(Cache.Validate());
        return problems.ToImmutable();
    }
}

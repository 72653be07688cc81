using System.Collections.Immutable;

namespace GitOps.Specs.Model;

/// <summary>
/// <c>spec.batch</c>: score a file of rows on a schedule with the served version (a Kubernetes CronJob running
/// <c>gitops score</c>; docs/batch-scoring.md). The input and output may carry <c>{date}</c> placeholders
/// (<see cref="DatasetTemplates"/>), filled with the run's UTC date.
/// </summary>
public sealed record BatchSpec
{
    /// <summary>Five-field cron expression in UTC (<c>0 2 * * *</c>), the CronJob's schedule.</summary>
    public required string Schedule { get; init; }

    /// <summary>Rows to score: a CSV or Parquet file as a path, <c>file://</c>, <c>http(s)://</c> or <c>s3://</c> URI.</summary>
    public required string Input { get; init; }

    /// <summary>Where the scores go, same schemes and formats as <see cref="Input"/>; written whole or not at all.</summary>
    public required string Output { get; init; }

    /// <summary><see cref="BatchErrorModes"/>: what a malformed row does.</summary>
    public string OnError { get; init; } = BatchErrorModes.Fail;

    /// <summary>With <c>onError: skip</c>: the most malformed rows tolerated before the run fails; null: no limit.</summary>
    public int? MaxErrors { get; init; }

    /// <summary>Rows per model run.</summary>
    public int BatchSize { get; init; } = BatchErrorModes.DefaultBatchSize;

    /// <summary>Input columns copied to the output beside the scores; empty: the row number is written.</summary>
    public ImmutableArray<string> Keys { get; init; } = [];

    /// <summary>Environments the job runs in; empty: every environment the model is served in.</summary>
    public ImmutableArray<string> Environments { get; init; } = [];
}

/// <summary>Values of <c>spec.batch.onError</c>.</summary>
public static class BatchErrorModes
{
    /// <summary>The first malformed row stops the run; nothing is written.</summary>
    public const string Fail = "fail";

    /// <summary>Malformed rows are counted, reported and left out; the rest is scored and written.</summary>
    public const string Skip = "skip";

    public const int DefaultBatchSize = 256;

    public static readonly ImmutableArray<string> All = [Fail, Skip];
}

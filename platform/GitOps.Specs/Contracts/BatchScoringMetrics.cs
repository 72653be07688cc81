namespace GitOps.Specs.Contracts;

/// <summary>
/// The metrics of one <c>gitops score</c> run (labels <c>model</c>, <c>version</c>). A scheduled run is not scraped:
/// the command writes them with <c>--metrics-file</c> in the node exporter's textfile-collector format (the file is
/// replaced whole at the end of the run), and its JSON summary line carries the same numbers (docs/batch-scoring.md).
/// </summary>
public static class BatchScoringMetrics
{
    /// <summary>Gauge: rows read from the input in the last run.</summary>
    public const string Rows = "gitops_batch_rows";
    /// <summary>Gauge: rows scored and written in the last run.</summary>
    public const string ScoredRows = "gitops_batch_scored_rows";
    /// <summary>Gauge: malformed rows of the last run (skipped, or the one that stopped it).</summary>
    public const string MalformedRows = "gitops_batch_malformed_rows";
    /// <summary>Gauge: how long the last run scored, in seconds.</summary>
    public const string Duration = "gitops_batch_duration_seconds";
    /// <summary>Gauge: rows read per second in the last run.</summary>
    public const string Throughput = "gitops_batch_rows_per_second";
    /// <summary>Gauge: 1 when the last run wrote its output (all rows, or all but skipped ones), else 0.</summary>
    public const string Success = "gitops_batch_success";
    /// <summary>Gauge: Unix time the last run ended.</summary>
    public const string LastRun = "gitops_batch_last_run_timestamp_seconds";
}

using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using GitOps.Serving.Scoring;
using GitOps.Specs.Contracts;

namespace GitOps.Cli.Scoring;

/// <summary>What a <c>gitops score</c> run tells: the summary as text or one JSON line, and the metrics file.</summary>
public sealed record ScoreReport(string Model, string Version, string Input, string Output, ScoringSummary Summary, DateTimeOffset EndedAt)
{
    public const string Complete = "complete";
    public const string Partial = "partial";
    public const string Stopped = "stopped";

    /// <summary><c>complete</c>: every row scored; <c>partial</c>: malformed rows skipped, the rest written;
    /// <c>stopped</c>: nothing written.</summary>
    public string Outcome => Summary.Stopped is not null ? Stopped : Summary.Errors > 0 ? Partial : Complete;

    /// <summary>0 complete, 1 partial (output written without the malformed rows), 2 stopped (fix the input).</summary>
    public ExitCode ExitCode => Outcome switch
    {
        Complete => ExitCode.Success,
        Partial => ExitCode.Findings,
        _ => ExitCode.Usage,
    };

    public string Text()
    {
        var s = Summary;
        var inv = CultureInfo.InvariantCulture;
        var rate = s.RowsPerSecond.ToString("N0", inv);
        var seconds = s.Elapsed.TotalSeconds.ToString("0.00", inv);
        return Outcome switch
        {
            Complete => string.Create(inv, $"Scored {s.Scored:N0} rows of {Input} with {Model} {Version} in {seconds} s ({rate} rows/s) to {Output}\n"),
            Partial => string.Create(inv, $"Scored {s.Scored:N0} of {s.Rows:N0} rows of {Input} with {Model} {Version} in {seconds} s ({rate} rows/s) to {Output}; skipped {s.Errors:N0} malformed row(s)\n"),
            _ => string.Create(inv, $"Stopped after {s.Rows:N0} rows of {Input}: nothing was written to {Output}\n"),
        };
    }

    /// <summary>The malformed rows for standard error: each <c>file:line: message</c>, then how many were not shown.</summary>
    public IEnumerable<string> ErrorLines(bool stoppedIsError)
    {
        foreach (var error in Summary.ReportedErrors.Where(e => e.Location != Summary.Stopped?.Location))
        {
            yield return $"warning: {error}";
        }
        if (Summary.Errors > Summary.ReportedErrors.Length)
        {
            yield return string.Create(CultureInfo.InvariantCulture, $"warning: {Summary.Errors - Summary.ReportedErrors.Length:N0} more malformed row(s) not shown");
        }
        if (Summary.Stopped is { } stopped && stoppedIsError)
        {
            yield return $"error: {stopped}";
        }
    }

    /// <summary>One line of JSON: in a CronJob's log it is the run's record.</summary>
    public string Json()
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            json.WriteString("model", Model);
            json.WriteString("version", Version);
            json.WriteString("input", Input);
            json.WriteString("output", Output);
            json.WriteString("outcome", Outcome);
            json.WriteNumber("rows", Summary.Rows);
            json.WriteNumber("scored", Summary.Scored);
            json.WriteNumber("malformed", Summary.Errors);
            json.WriteNumber("seconds", Math.Round(Summary.Elapsed.TotalSeconds, 3));
            json.WriteNumber("rowsPerSecond", Math.Round(Summary.RowsPerSecond, 1));
            json.WriteString("endedAt", EndedAt.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture));
            json.WriteStartArray("errors");
            foreach (var error in Summary.ReportedErrors)
            {
                json.WriteStartObject();
                json.WriteString("location", error.Location);
                json.WriteString("message", error.Message);
                json.WriteEndObject();
            }
            json.WriteEndArray();
            if (Summary.Stopped is { } stopped)
            {
                json.WriteString("stoppedAt", stopped.Location);
                json.WriteString("stoppedBecause", stopped.Message);
            }
            json.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray()) + "\n";
    }

    /// <summary>The run's metrics in the Prometheus text format the node exporter's textfile collector reads.</summary>
    public string Metrics()
    {
        var labels = $"{{model=\"{Escape(Model)}\",version=\"{Escape(Version)}\"}}";
        var text = new StringBuilder();
        void Gauge(string name, string help, double value)
        {
            text.Append(CultureInfo.InvariantCulture, $"# HELP {name} {help}\n# TYPE {name} gauge\n{name}{labels} {value.ToString("R", CultureInfo.InvariantCulture)}\n");
        }
        Gauge(BatchScoringMetrics.Rows, "Rows read from the input in the last batch scoring run.", Summary.Rows);
        Gauge(BatchScoringMetrics.ScoredRows, "Rows scored and written in the last batch scoring run.", Summary.Scored);
        Gauge(BatchScoringMetrics.MalformedRows, "Malformed rows in the last batch scoring run.", Summary.Errors);
        Gauge(BatchScoringMetrics.Duration, "Seconds the last batch scoring run took.", Math.Round(Summary.Elapsed.TotalSeconds, 6));
        Gauge(BatchScoringMetrics.Throughput, "Rows per second of the last batch scoring run.", Math.Round(Summary.RowsPerSecond, 3));
        Gauge(BatchScoringMetrics.Success, "1 when the last batch scoring run wrote its output, else 0.", Outcome == Stopped ? 0 : 1);
        Gauge(BatchScoringMetrics.LastRun, "Unix time the last batch scoring run ended.", EndedAt.ToUnixTimeMilliseconds() / 1000.0);
        return text.ToString();
    }

    private static string Escape(string value) =>
        value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);
}

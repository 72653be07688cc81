using System.Globalization;

namespace GitOps.Specs.Contracts;

/// <summary>
/// Where a training run is: step <see cref="Step"/> of <see cref="Steps"/>, named by <see cref="Phase"/>. Part of the
/// training contract: a trainer writes each step to its log as one <c>progress: 3/7 fitting fastTree</c> line, so it
/// reads in <c>kubectl logs</c>, and the Local driver shows the newest such line of a running Job in
/// <c>gitops up</c>. A custom trainer may write the same lines; nothing requires them.
/// </summary>
public sealed record TrainingProgress(int Step, int Steps, string Phase)
{
    public const string LinePrefix = "progress: ";

    /// <summary>The step as it is shown: <c>3/7 fitting fastTree</c>.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Step}/{Steps} {Phase}");

    /// <summary>The line the trainer writes to its log.</summary>
    public string ToLogLine() => LinePrefix + ToString();

    /// <summary>The step a log line reports, or null when the line is not a progress line.</summary>
    public static TrainingProgress? Parse(string line)
    {
        if (!line.StartsWith(LinePrefix, StringComparison.Ordinal))
        {
            return null;
        }
        var text = line.AsSpan(LinePrefix.Length).Trim();
        var slash = text.IndexOf('/');
        var space = text.IndexOf(' ');
        if (slash <= 0 || space <= slash
            || !int.TryParse(text[..slash], NumberStyles.None, CultureInfo.InvariantCulture, out var step)
            || !int.TryParse(text[(slash + 1)..space], NumberStyles.None, CultureInfo.InvariantCulture, out var steps)
            || step < 1 || step > steps)
        {
            return null;
        }
        return new TrainingProgress(step, steps, text[(space + 1)..].Trim().ToString());
    }

    /// <summary>Shifts the steps of a nested run (the trainer inside a run that also fetches and publishes) into the
    /// outer run's numbering.</summary>
    public static IProgress<TrainingProgress>? Offset(IProgress<TrainingProgress>? outer, int before, int total) =>
        outer is null ? null : new Relay(p => outer.Report(new TrainingProgress(p.Step + before, total, p.Phase)));

    /// <summary>Reports synchronously on the caller's thread (unlike <see cref="Progress{T}"/>, which posts to a
    /// synchronization context and may reorder or drop the last step).</summary>
    public sealed class Relay(Action<TrainingProgress> report) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => report(value);
    }
}

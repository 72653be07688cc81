using Cronos;

namespace GitOps.Specs;

/// <summary>A parsed <c>spec.training.retrain.schedule</c>: every <see cref="Every"/> since the last retrain, or at
/// each occurrence of a cron expression in UTC.</summary>
public sealed record RetrainScheduleValue(TimeSpan? Every, string? Cron)
{
    /// <summary>When a retrain is due after one at <paramref name="last"/>: <paramref name="last"/> plus the period,
    /// or the first cron occurrence after it; null when the cron expression never fires again.</summary>
    public DateTimeOffset? NextAfter(DateTimeOffset last)
    {
        if (Every is { } every)
        {
            return last + every;
        }
        return CronExpression.Parse(Cron!).GetNextOccurrence(last.ToUniversalTime(), TimeZoneInfo.Utc);
    }

    /// <summary><c>every 7d</c> or <c>cron '0 3 * * 1' (UTC)</c>.</summary>
    public override string ToString() => Every is { } every ? $"every {Durations.Format(every)}" : $"cron '{Cron}' (UTC)";
}

/// <summary>Reads retrain schedules: a duration (<see cref="Durations"/>) or a standard five-field cron expression
/// (minute hour day-of-month month day-of-week, evaluated in UTC; Cronos syntax, so <c>@daily</c> and <c>@weekly</c>
/// work too).</summary>
public static class RetrainSchedules
{
    /// <summary>True for a standard five-field cron expression (also what <c>spec.batch.schedule</c> takes).</summary>
    public static bool IsCron(string? text) =>
        !string.IsNullOrWhiteSpace(text) && CronExpression.TryParse(text.Trim(), CronFormat.Standard, out _);

    public static bool TryParse(string? text, out RetrainScheduleValue schedule)
    {
        schedule = new RetrainScheduleValue(null, null);
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }
        if (Durations.TryParse(text, out var every))
        {
            if (every <= TimeSpan.Zero)
            {
                return false;
            }
            schedule = new RetrainScheduleValue(every, null);
            return true;
        }
        if (IsCron(text))
        {
            schedule = new RetrainScheduleValue(null, text.Trim());
            return true;
        }
        return false;
    }
}

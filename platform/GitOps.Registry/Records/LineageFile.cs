using System.Globalization;
using System.Text.Json;

namespace GitOps.Registry.Records;

/// <summary>The fields of <c>lineage.json</c> the registry records (the contract's required fields).</summary>
public sealed record LineageContent(
    string TrainerName, string TrainerVersion, string? DatasetPath, string DatasetSha256, long DatasetRows,
    DateTimeOffset StartedAt, DateTimeOffset FinishedAt);

/// <summary>Reads the required fields of a trainer's <c>lineage.json</c> (<c>docs/training.md</c>).</summary>
public static class LineageFile
{
    /// <summary>The lineage, or the first problem found.</summary>
    public static (LineageContent? Lineage, string? Problem) Parse(ReadOnlyMemory<byte> json)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return (null, "must be a JSON object");
            }
            string Text(string path) => Find(root, path) is { ValueKind: JsonValueKind.String } e && e.GetString() is { Length: > 0 } s
                ? s
                : throw new FormatException($"'{path}' is missing or not a string");
            DateTimeOffset Time(string path) => DateTimeOffset.TryParse(Text(path), CultureInfo.InvariantCulture, DateTimeStyles.None, out var t)
                ? t
                : throw new FormatException($"'{path}' is not an ISO 8601 timestamp");
            var rows = Find(root, "dataset.rows") is { ValueKind: JsonValueKind.Number } r && r.TryGetInt64(out var n) && n > 0
                ? n
                : throw new FormatException("'dataset.rows' is missing or not a positive whole number");
            var path = Find(root, "dataset.path") is { ValueKind: JsonValueKind.String } p ? p.GetString() : null;
            return (new LineageContent(Text("trainer.name"), Text("trainer.version"), path, Text("dataset.sha256"), rows,
                Time("timing.startedAt"), Time("timing.finishedAt")), null);
        }
        catch (JsonException e)
        {
            return (null, $"is not valid JSON (line {e.LineNumber + 1}): {e.Message.Split('.')[0]}");
        }
        catch (FormatException e)
        {
            return (null, e.Message);
        }
    }

    private static JsonElement? Find(JsonElement root, string path)
    {
        var element = root;
        foreach (var segment in path.Split('.'))
        {
            if (element.ValueKind != JsonValueKind.Object || !element.TryGetProperty(segment, out element))
            {
                return null;
            }
        }
        return element;
    }
}

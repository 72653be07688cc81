using System.Globalization;
using System.Text.Json.Nodes;
using GitOps.Planning.Retraining;

namespace GitOps.Reconciler.Retraining;

/// <summary>The stored form of a <see cref="RetrainGeneration"/> (in the registry facts' ConfigMap or state file).</summary>
public static class RetrainJson
{
    public static JsonObject ToJson(RetrainGeneration g)
    {
        var json = new JsonObject
        {
            ["at"] = g.At.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
            ["baseSha256"] = g.BaseSha256,
            ["datasetSha256"] = g.DatasetSha256,
            ["datasetUri"] = g.DatasetUri,
            ["detail"] = g.Detail,
            ["generation"] = g.Generation,
            ["reason"] = g.Reason,
            ["uriTemplate"] = g.UriTemplate,
        };
        if (g.By is { } by)
        {
            json["by"] = by;
        }
        return json;
    }

    /// <summary>The generation stored as <paramref name="json"/>, or null when a field is missing or malformed (it is
    /// then recorded again from Git as the baseline).</summary>
    public static RetrainGeneration? FromJson(JsonObject json)
    {
        string? Text(string key) => json[key] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
        if (json["generation"] is not JsonValue gv || !gv.TryGetValue<int>(out var generation)
            || Text("reason") is not { } reason || Text("datasetUri") is not { } uri || Text("datasetSha256") is not { } sha
            || Text("baseSha256") is not { } baseSha || Text("uriTemplate") is not { } template
            || !DateTimeOffset.TryParse(Text("at"), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at))
        {
            return null;
        }
        return new RetrainGeneration(generation, reason, Text("detail") ?? "", uri, sha, at, baseSha, template, Text("by"));
    }
}

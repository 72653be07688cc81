using System.Text.Json;
using System.Text.Json.Serialization;
using GitOps.Rollouts.Rollout;

namespace GitOps.Rollouts.Persistence;

/// <summary>
/// The JSON form of <see cref="RolloutState"/>, as persisted in the cluster. Round-trips exactly (times, NaN and
/// infinite values included), so a reconciler that reloads it continues where the previous one stopped.
/// </summary>
public static class RolloutStateJson
{
    private static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
        WriteIndented = false,
    };

    public static string Serialize(RolloutState state) => JsonSerializer.Serialize(state, Options);

    /// <summary>Parses persisted state; a damaged or newer-schema document is reported, never half-read.</summary>
    public static bool TryDeserialize(string json, out RolloutState state, out string? error)
    {
        state = RolloutState.Initial;
        error = null;
        try
        {
            var parsed = JsonSerializer.Deserialize<RolloutState>(json, Options);
            if (parsed is null)
            {
                error = "the rollout state is empty (null)";
                return false;
            }
            if (parsed.SchemaVersion != RolloutState.Initial.SchemaVersion)
            {
                error = $"the rollout state has schema version {parsed.SchemaVersion}; this reconciler reads version {RolloutState.Initial.SchemaVersion}";
                return false;
            }
            state = parsed;
            return true;
        }
        catch (JsonException e)
        {
            error = $"the rollout state is not valid JSON: {e.Message}";
            return false;
        }
    }

    public static RolloutState Deserialize(string json) =>
        TryDeserialize(json, out var state, out var error) ? state : throw new FormatException(error);
}

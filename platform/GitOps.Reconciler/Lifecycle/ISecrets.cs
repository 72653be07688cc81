namespace GitOps.Reconciler.Lifecycle;

/// <summary>One key of a Secret as read: its value, or what a person must fix (<see cref="Problem"/>), or a fault of
/// the API server that passes by itself (<see cref="Transient"/>).</summary>
public sealed record SecretValue(string? Value, string? Problem, bool Transient = false)
{
    public static SecretValue Found(string value) => new(value, null);
}

/// <summary>Port: reads a key of a Secret (the artifact store tokens of <c>spec.artifacts.tokenSecretRef</c>).</summary>
public interface ISecrets
{
    Task<SecretValue> ReadAsync(string @namespace, string name, string key, CancellationToken ct);
}

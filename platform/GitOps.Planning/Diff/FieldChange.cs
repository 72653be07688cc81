using System.Text.Json.Nodes;

namespace GitOps.Planning.Diff;

/// <summary>
/// One field we set that differs in the cluster. <see cref="Path"/> reads like
/// <c>spec.template.spec.containers[name=server].image</c>; <see cref="Before"/> is null when the field is missing
/// in the cluster, <see cref="After"/> is null when we no longer set a field we own.
/// </summary>
public sealed record FieldChange(string Path, JsonNode? Before, JsonNode? After);

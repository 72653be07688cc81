namespace GitOps.Policy.Gates;

/// <summary>
/// What is known about a candidate model artifact besides its metrics; quality gates read it as <c>model</c>:
/// <c>model.name</c>, <c>model.version</c>, <c>model.sizeBytes</c>, <c>model.sizeMb</c>, <c>model.latencyP50Ms</c>,
/// <c>model.latencyP99Ms</c> (from the latency probe run against the exported model).
/// </summary>
public sealed record ModelFacts(string Name, string Version, long SizeBytes, double LatencyP50Ms, double LatencyP99Ms)
{
    internal Dictionary<string, object?> ToVariable() => new(StringComparer.Ordinal)
    {
        ["name"] = Name,
        ["version"] = Version,
        ["sizeBytes"] = SizeBytes,
        ["sizeMb"] = SizeBytes / (1024.0 * 1024.0),
        ["latencyP50Ms"] = LatencyP50Ms,
        ["latencyP99Ms"] = LatencyP99Ms,
    };
}

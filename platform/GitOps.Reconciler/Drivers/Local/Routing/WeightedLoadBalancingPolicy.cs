using Microsoft.AspNetCore.Http;
using Yarp.ReverseProxy.LoadBalancing;
using Yarp.ReverseProxy.Model;

namespace GitOps.Reconciler.Drivers.Local.Routing;

/// <summary>
/// Picks a destination with probability proportional to its <c>weight</c> metadata, the way a Gateway API
/// <c>backendRefs</c> weight splits traffic (YARP has no weighted policy of its own). Destinations without a positive
/// weight get no traffic.
/// </summary>
public sealed class WeightedLoadBalancingPolicy : ILoadBalancingPolicy
{
    public const string PolicyName = "Weighted";
    public const string WeightKey = "weight";

    public string Name => PolicyName;

    public DestinationState? PickDestination(HttpContext context, ClusterState cluster, IReadOnlyList<DestinationState> availableDestinations)
    {
        var total = 0.0;
        foreach (var destination in availableDestinations)
        {
            total += WeightOf(destination);
        }
        if (total <= 0)
        {
            return null;
        }
        var pick = Random.Shared.NextDouble() * total;
        foreach (var destination in availableDestinations)
        {
            var weight = WeightOf(destination);
            if (weight <= 0)
            {
                continue;
            }
            if (pick < weight)
            {
                return destination;
            }
            pick -= weight;
        }
        return availableDestinations.LastOrDefault(d => WeightOf(d) > 0);
    }

    private static double WeightOf(DestinationState destination) =>
        destination.Model.Config.Metadata?.TryGetValue(WeightKey, out var text) == true
        && double.TryParse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var weight)
            ? weight
            : 0;
}

namespace GitOps.Specs;

/// <summary>Pod counts for a canary weight, rounded the way Argo Rollouts rounds them.</summary>
public static class CanaryReplicas
{
    /// <summary>
    /// Without a traffic router the canary's share of traffic is its share of pods: the split of
    /// <paramref name="replicas"/> whose canary share is closest to <paramref name="weight"/> percent (no surge).
    /// Between ceiling and floor the ceiling wins a tie; for weights 1–99 with 2+ replicas neither side gets 0 pods.
    /// </summary>
    public static (int Canary, int Stable) ByPods(int replicas, int weight)
    {
        if (replicas <= 0)
        {
            return (0, 0);
        }
        weight = Math.Clamp(weight, 0, 100);
        var exact = replicas * weight / 100.0;
        var ceil = (int)Math.Ceiling(exact);
        var floor = (int)Math.Floor(exact);
        var tied = exact - Math.Floor(exact) == 0.5;
        var zeroAllowed = weight is 0 or 100 || replicas == 1;
        var options = new List<int>(2);
        if (ceil < replicas || zeroAllowed)
        {
            options.Add(ceil);
        }
        if (!tied && (floor != 0 || zeroAllowed))
        {
            options.Add(floor);
        }
        if (options.Count == 0)
        {
            return (0, replicas);
        }
        var best = options[0];
        foreach (var option in options.Skip(1))
        {
            if (Delta(weight, option, replicas) < Delta(weight, best, replicas))
            {
                best = option;
            }
        }
        return (best, replicas - best);
    }

    /// <summary>With a traffic router the stable keeps all its pods and the canary gets the ceiling of its share, at least one pod.</summary>
    public static int Routed(int replicas, int weight) =>
        Math.Max(1, (int)Math.Ceiling(Math.Max(0, replicas) * Math.Clamp(weight, 0, 100) / 100.0));

    private static double Delta(int weight, int canary, int total) => Math.Abs(canary * 100.0 / total - weight);
}

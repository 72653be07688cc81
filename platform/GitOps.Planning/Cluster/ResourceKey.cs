namespace GitOps.Planning.Cluster;

/// <summary>Identity of a Kubernetes object: group/version, kind, namespace (null when cluster-scoped) and name.</summary>
public sealed record ResourceKey(string ApiVersion, string Kind, string? Namespace, string Name) : IComparable<ResourceKey>
{
    public int CompareTo(ResourceKey? other)
    {
        if (other is null)
        {
            return 1;
        }
        var c = string.CompareOrdinal(Kind, other.Kind);
        if (c == 0)
        {
            c = string.CompareOrdinal(Namespace, other.Namespace);
        }
        if (c == 0)
        {
            c = string.CompareOrdinal(Name, other.Name);
        }
        return c == 0 ? string.CompareOrdinal(ApiVersion, other.ApiVersion) : c;
    }

    public override string ToString() => Namespace is null ? $"{Kind}/{Name}" : $"{Kind}/{Namespace}/{Name}";
}

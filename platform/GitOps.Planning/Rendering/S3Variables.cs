using System.Text.Json.Nodes;
using GitOps.Specs.Contracts;
using GitOps.Specs.Model;

namespace GitOps.Planning.Rendering;

/// <summary>
/// Gives the containers that talk to an s3:// artifact store its region, endpoint and addressing style as the
/// standard variables the AWS SDK and <c>gitops artifacts</c> read. Credentials are not rendered: the pod's identity
/// (IRSA, Pod Identity) or variables the operator adds supply them through the AWS standard chain.
/// </summary>
public static class S3Variables
{
    /// <summary>Adds the store's S3 variables to each container.</summary>
    internal static void Add(ArtifactStore? store, IReadOnlyList<JsonObject> containers)
    {
        var variables = Of(store);
        if (variables.Count == 0)
        {
            return;
        }
        foreach (var container in containers)
        {
            PodSpecJson.AddEnv(container, variables.Select(v => PodSpecJson.EnvVar(v.Key, v.Value)));
        }
    }

    /// <summary>
    /// <paramref name="variables"/> with the store's S3 settings in front: what a process that opens the store
    /// itself (the reconciler, <c>gitops models --env</c>) reads, as the pods that get them rendered do. Credentials
    /// still come from <paramref name="variables"/> (the AWS standard chain).
    /// </summary>
    public static Func<string, string?> Over(ArtifactStore? store, Func<string, string?> variables)
    {
        var own = Of(store).ToDictionary(v => v.Key, v => v.Value, StringComparer.Ordinal);
        return own.Count == 0 ? variables : name => own.TryGetValue(name, out var value) ? value : variables(name);
    }

    /// <summary>The store's S3 variables, in the order pods get them (none for a store without <c>s3</c> settings).</summary>
    public static IReadOnlyList<KeyValuePair<string, string>> Of(ArtifactStore? store)
    {
        var variables = new List<KeyValuePair<string, string>>();
        if (store?.S3 is not { } s3)
        {
            return variables;
        }
        if (s3.Region is { } region)
        {
            variables.Add(new(TrainingContract.S3Region, region));
        }
        if (s3.Endpoint is { } endpoint)
        {
            variables.Add(new(TrainingContract.S3Endpoint, endpoint));
        }
        if (s3.ForcePathStyle)
        {
            variables.Add(new(TrainingContract.S3ForcePathStyle, "true"));
        }
        return variables;
    }
}

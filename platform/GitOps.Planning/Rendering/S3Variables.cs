using System.Text.Json.Nodes;
using GitOps.Specs.Contracts;
using GitOps.Specs.Model;

namespace GitOps.Planning.Rendering;

/// <summary>
/// Gives the containers that talk to an s3:// artifact store its region, endpoint and addressing style as the
/// standard variables the AWS SDK and <c>gitops artifacts</c> read. Credentials are not rendered: the pod's identity
/// (IRSA, Pod Identity) or variables the operator adds supply them through the AWS standard chain.
/// </summary>
internal static class S3Variables
{
    public static void Add(ArtifactStore? store, IReadOnlyList<JsonObject> containers)
    {
        if (store?.S3 is not { } s3)
        {
            return;
        }
        var variables = new List<(string Name, string Value)>();
        if (s3.Region is { } region)
        {
            variables.Add((TrainingContract.S3Region, region));
        }
        if (s3.Endpoint is { } endpoint)
        {
            variables.Add((TrainingContract.S3Endpoint, endpoint));
        }
        if (s3.ForcePathStyle)
        {
            variables.Add((TrainingContract.S3ForcePathStyle, "true"));
        }
        foreach (var container in containers)
        {
            PodSpecJson.AddEnv(container, variables.Select(v => PodSpecJson.EnvVar(v.Name, v.Value)));
        }
    }
}

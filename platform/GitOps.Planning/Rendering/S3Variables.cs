using GitOps.Specs.Contracts;
using GitOps.Specs.Model;
using k8s.Models;

namespace GitOps.Planning.Rendering;

/// <summary>
/// Gives the containers that talk to an s3:// artifact store its region, endpoint and addressing style as the
/// standard variables the AWS SDK and <c>gitops artifacts</c> read. Credentials are not rendered: the pod's identity
/// (IRSA, Pod Identity) or variables the operator adds supply them through the AWS standard chain.
/// </summary>
internal static class S3Variables
{
    public static void Add(ArtifactStore? store, IReadOnlyList<V1Container> containers)
    {
        if (store?.S3 is not { } s3)
        {
            return;
        }
        var variables = new List<V1EnvVar>();
        if (s3.Region is { } region)
        {
            variables.Add(new V1EnvVar { Name = TrainingContract.S3Region, Value = region });
        }
        if (s3.Endpoint is { } endpoint)
        {
            variables.Add(new V1EnvVar { Name = TrainingContract.S3Endpoint, Value = endpoint });
        }
        if (s3.ForcePathStyle)
        {
            variables.Add(new V1EnvVar { Name = TrainingContract.S3ForcePathStyle, Value = "true" });
        }
        foreach (var container in containers)
        {
            container.Env = [.. (container.Env ?? []).Concat(variables).OrderBy(e => e.Name, StringComparer.Ordinal)];
        }
    }
}

using System.Text.Json;
using System.Text.Json.Nodes;
using GitOps.Planning.Rendering;
using GitOps.Planning.Tests.Support;
using GitOps.Specs;
using GitOps.Specs.Model;
using GitOps.Testing.Golden;
using k8s.Models;

namespace GitOps.Planning.Tests.Rendering;

/// <summary>
/// The renderer builds its objects as JSON trees, not through KubernetesClient's typed models. A misspelt or misplaced
/// field would still be valid JSON; read into the typed model it is dropped, so an object that reads back and writes
/// out unchanged uses only fields of its kind.
/// </summary>
public sealed class KubernetesShapeTests
{
    private static readonly Dictionary<string, Type> Models = new()
    {
        ["ConfigMap"] = typeof(V1ConfigMap),
        ["Job"] = typeof(V1Job),
        ["CronJob"] = typeof(V1CronJob),
        ["Deployment"] = typeof(V1Deployment),
        ["Service"] = typeof(V1Service),
        ["HorizontalPodAutoscaler"] = typeof(V2HorizontalPodAutoscaler),
        ["PodDisruptionBudget"] = typeof(V1PodDisruptionBudget),
        ["NetworkPolicy"] = typeof(V1NetworkPolicy),
    };

    /// <summary>Every object the example repository renders in every environment: first training, then served with a canary.</summary>
    private static List<JsonObject> RenderedExamples()
    {
        var load = SpecValidator.Validate(SpecFileReader.Read(RepositoryPaths.Root));
        Assert.False(load.HasErrors);
        var specs = load.Specs;
        var objects = new List<JsonObject>();
        foreach (var env in specs.Environments)
        {
            var served = RegistryFacts.Empty;
            foreach (var model in specs.Models.Where(m => m.Spec.Environments.Contains(env.Name)))
            {
                var version = ModelVersions.Compute(model, env);
                served = served.WithTrained(model.Name, version).WithTrained(model.Name, "0123456789ab")
                    .WithDeployment(model.Name, env.Name, new DeploymentFacts("0123456789ab", new CanaryFacts(version, 25)));
            }
            objects.AddRange(Renderer.Render(specs, env.Name, RegistryFacts.Empty, new RenderContext("3f1c2a9")).Objects);
            objects.AddRange(Renderer.Render(specs, env.Name, served, new RenderContext("3f1c2a9")).Objects);
        }
        return objects;
    }

    public sealed class TheRenderedObjects
    {
        [Fact]
        public void Should_Read_Back_Into_KubernetesClient_Models_And_Write_Out_Unchanged()
        {
            // Given
            var objects = RenderedExamples();

            // When
            var checkedKinds = new HashSet<string>();
            foreach (var obj in objects)
            {
                var kind = obj["kind"]!.GetValue<string>();
                if (!Models.TryGetValue(kind, out var model))
                {
                    continue;
                }
                // Fields written as null are unset fields: the typed model leaves them out.
                var text = CanonicalJson.ToText(CanonicalJson.Sorted(obj));
                var typed = JsonSerializer.Deserialize(text, model, KubernetesClientJson.Options);
                var written = JsonSerializer.SerializeToNode(typed, model, KubernetesClientJson.Options);

                // Then
                Assert.Equal(text, CanonicalJson.ToText(written));
                checkedKinds.Add(kind);
            }
            Assert.Equal(Models.Keys.Order(StringComparer.Ordinal), checkedKinds.Order(StringComparer.Ordinal));
        }
    }
}

using System.Text.Json.Nodes;
using GitOps.Planning.Plans;
using GitOps.Planning.Rendering;
using GitOps.Specs.Model;
using GitOps.Testing;

namespace GitOps.Planning.Tests.Support;

/// <summary>Builds observed cluster states by applying plans in memory.</summary>
internal static class Clusters
{
    public static readonly DateTimeOffset Now = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Facts where every model's current version is trained and served as stable in each of its environments.</summary>
    public static RegistryFacts AllServed(SpecSet specs)
    {
        var facts = RegistryFacts.Empty;
        foreach (var model in specs.Models)
        {
            foreach (var env in model.Spec.Environments.Select(specs.Environment).OfType<EnvironmentSpec>())
            {
                var version = ModelVersions.Compute(model, env);
                facts = facts.WithTrained(model.Name, version).WithDeployment(model.Name, env.Name, new DeploymentFacts(version, null));
            }
        }
        return facts;
    }

    /// <summary>The cluster after applying <paramref name="specs"/> with <paramref name="facts"/> to <paramref name="observed"/>.</summary>
    public static IReadOnlyList<JsonObject> Converge(SpecSet specs, RegistryFacts facts, IReadOnlyList<JsonObject>? observed = null, string commit = "0000000")
    {
        var state = observed ?? [];
        foreach (var env in specs.Environments)
        {
            var render = Renderer.Render(specs, env.Name, facts, new RenderContext(commit));
            var plan = Planner.Plan(env.Name, render.Objects, state);
            state = InMemoryApply.Apply(plan, state, Now);
        }
        return state;
    }
}

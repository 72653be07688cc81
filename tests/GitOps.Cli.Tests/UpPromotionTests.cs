using System.Security.Cryptography;
using GitOps.Cli.Tests.Support;
using GitOps.Reconciler.Drivers.Local;
using GitOps.Reconciler.Rollouts;
using GitOps.Registry;
using GitOps.Registry.Promotion;
using GitOps.Registry.Records;
using GitOps.Registry.Stores;
using GitOps.Testing.Git;
using Xunit;

namespace GitOps.Cli.Tests;

/// <summary>
/// Promotion by artifact end to end on the local runtime: two <c>gitops up</c> processes on one repository, staging
/// (trains and serves) and prod (<c>promotion: {from: staging, soak: 10s}</c>, its own artifact store). Prod waits
/// while staging's soak runs, then serves staging's artifact byte for byte and never trains.
/// </summary>
[Collection(nameof(UpRolloutTests))]
public sealed class UpPromotionTests : IDisposable
{
    private const string Model = "fraud-detector";
    private readonly FakeGitRepo _repo = FakeGitRepo.Create();
    private readonly string _stores = Directory.CreateTempSubdirectory("gitops-promotion-stores-").FullName;

    public void Dispose()
    {
        _repo.Dispose();
        Directory.Delete(_stores, recursive: true);
    }

    private string Store(string environment) => Path.Combine(_stores, environment);

    private string StateOf(string environment) => Path.Combine(_repo.Path, ".state-" + environment);

    private Dictionary<string, string?> Files()
    {
        var files = UpRun.ExampleFiles(UpRun.FreePort());
        var local = files["environments/local/environment.yaml"]!;
        local = local[..local.IndexOf("  prometheus:", StringComparison.Ordinal)] + local[local.IndexOf("  selfHeal:", StringComparison.Ordinal)..];
        foreach (var name in files.Keys.Where(k => k.StartsWith("environments/", StringComparison.Ordinal)).ToList())
        {
            files.Remove(name);
        }
        files.Remove("models/ticket-classifier/model.yaml");
        files["environments/staging/environment.yaml"] = local.Replace("name: local", "name: staging", StringComparison.Ordinal)
            .Replace("namespace: ml-local", "namespace: ml-staging", StringComparison.Ordinal)
            + $"  artifacts:\n    uri: {new Uri(Store("staging")).AbsoluteUri}\n";
        files["environments/prod/environment.yaml"] = local.Replace("name: local", "name: prod", StringComparison.Ordinal)
            .Replace("namespace: ml-local", "namespace: ml-prod", StringComparison.Ordinal)
            + $"  artifacts:\n    uri: {new Uri(Store("prod")).AbsoluteUri}\n  promotion:\n    from: staging\n    soak: 10s\n";
        var model = files[$"models/{Model}/model.yaml"]!;
        model = model.Replace("environments: [dev, staging, prod, local]", "environments: [staging, prod]", StringComparison.Ordinal);
        model = model[..model.IndexOf("  overrides:", StringComparison.Ordinal)]
            + "  overrides:\n    staging:\n      rollout: direct\n      serving:\n        replicas: 1\n    prod:\n      rollout: direct\n";
        files[$"models/{Model}/model.yaml"] = model;
        return files;
    }

    private static async Task<string?> StableAsync(string state, string environment) =>
        (await new LocalRolloutStateStore(StateFolder.For(state)).LoadAsync(new RolloutScope(environment, "ml-" + environment), Model, CancellationToken.None))?.State.Stable;

    private static async Task<string?> HeldAsync(string state, string environment) =>
        (await new LocalStatusStore(StateFolder.For(state), "ml-" + environment).ReadAsync(environment, CancellationToken.None))?.Held;

    private static string Sha256(string path) => Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path)));

    [Fact]
    public async Task Should_Serve_Stagings_Artifact_Byte_For_Byte_In_Prod_After_The_Soak_And_Wait_Before_It()
    {
        // Given a repository with staging and prod (promoted from staging after 10s), each run by its own gitops up
        _repo.Commit("staging and prod", Files());
        using var staging = UpRun.StartEnvironment(_repo.Path, "staging", StateOf("staging"));
        using var prod = UpRun.StartEnvironment(_repo.Path, "prod", StateOf("prod"));

        // When staging trains and serves the model
        await staging.EventuallyAsync(async () => await StableAsync(StateOf("staging"), "staging") is not null, "staging to serve", TimeSpan.FromSeconds(60));
        var version = (await StableAsync(StateOf("staging"), "staging"))!;

        // Then prod waits for the soak, serving nothing and training nothing
        await prod.EventuallyAsync(async () => (await HeldAsync(StateOf("prod"), "prod"))?.Contains("of 10s soak; ready at", StringComparison.Ordinal) == true,
            "prod to wait for the soak", TimeSpan.FromSeconds(20));
        Assert.Contains($"{Model} {version} waiting: staging has served {version} as stable for", await HeldAsync(StateOf("prod"), "prod"));
        Assert.Null(await StableAsync(StateOf("prod"), "prod"));
        Assert.Empty(prod.Servers);
        Assert.DoesNotContain(prod.Processes, p => p.Role == ProcessRole.Training);

        // And after the soak prod serves exactly staging's artifact, received into its own store with the evidence
        await prod.EventuallyAsync(async () => await StableAsync(StateOf("prod"), "prod") == version && prod.Servers.Count > 0, "prod to serve staging's version", TimeSpan.FromSeconds(60));
        var stagingSha = Sha256(Path.Combine(Store("staging"), Model, version, "model.onnx"));
        var served = Directory.GetFiles(StateOf("prod"), "model.onnx", SearchOption.AllDirectories);
        Assert.NotEmpty(served);
        Assert.All(served, file => Assert.Equal(stagingSha, Sha256(file)));
        Assert.Equal(stagingSha, Sha256(Path.Combine(Store("prod"), Model, version, "model.onnx")));
        var events = await new ModelRegistry(new FileArtifactStore(Store("prod"))).EventsAsync(Model, "prod", CancellationToken.None);
        var received = Assert.Single(events, e => e.Type == RegistryEventTypes.Received);
        Assert.Equal((version, stagingSha, "staging", "10s"), (received.Version, received.Evidence[EvidenceKeys.Sha256], received.Evidence[EvidenceKeys.Source], received.Evidence[EvidenceKeys.Soak]));
        Assert.DoesNotContain(prod.Processes, p => p.Role == ProcessRole.Training);
    }
}

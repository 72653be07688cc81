using System.Text.Json.Nodes;
using GitOps.Planning.Cluster;
using GitOps.Reconciler.Drivers.Local;
using GitOps.Reconciler.Tests.Drivers.Kubernetes;
using GitOps.Testing;

namespace GitOps.Reconciler.Tests.Drivers;

/// <summary>
/// The same behaviours checked against the in-memory driver and the Kubernetes driver over the fake API server,
/// so reconcile tests written against the in-memory driver hold for the real one and for the Local driver.
/// </summary>
public sealed class ClusterDriverContractTests
{
    public static TheoryData<string> Drivers => ["memory", "kubernetes", "local"];

    private static readonly ResourceKey Config = new("v1", "ConfigMap", "ml", "model-config");

    private interface IHarness : IAsyncDisposable
    {
        IClusterDriver Driver { get; }

        void Seed(JsonObject obj);

        void EditByHand(ResourceKey key, JsonObject mergePatch);

        void SetStatus(ResourceKey key, JsonObject status);
    }

    private sealed class MemoryHarness : IHarness
    {
        private readonly InMemoryClusterDriver _driver = new();

        public IClusterDriver Driver => _driver;

        public void Seed(JsonObject obj) => _driver.Seed(obj);

        public void EditByHand(ResourceKey key, JsonObject mergePatch) => _driver.EditByHand(key, obj => Merge(obj, mergePatch));

        public void SetStatus(ResourceKey key, JsonObject status) => _driver.SetStatus(key, status);

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;

        public static void Merge(JsonObject target, JsonObject patch)
        {
            foreach (var (k, v) in patch)
            {
                if (v is JsonObject child && target[k] is JsonObject existing)
                {
                    Merge(existing, child);
                }
                else if (v is null)
                {
                    target.Remove(k);
                }
                else
                {
                    target[k] = v.DeepClone();
                }
            }
        }
    }

    private sealed class KubernetesHarness(FakeCluster cluster) : IHarness
    {
        public IClusterDriver Driver { get; } = cluster.Driver();

        public void Seed(JsonObject obj) => cluster.Server.Seed(obj);

        public void EditByHand(ResourceKey key, JsonObject mergePatch) => cluster.Server.EditByHand(key, mergePatch);

        public void SetStatus(ResourceKey key, JsonObject status) => cluster.Server.SetStatus(key, status);

        public ValueTask DisposeAsync() => cluster.DisposeAsync();
    }

    /// <summary>The Local driver over a state folder; every check also reads the folder back in a fresh driver, as a
    /// restarted <c>gitops up</c> would.</summary>
    private sealed class LocalHarness : IHarness
    {
        private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("gitops-local-driver-");
        private readonly LocalClusterDriver _driver;

        public LocalHarness() => _driver = new LocalClusterDriver(StateFolder.For(_folder.FullName), TimeProvider.System);

        public IClusterDriver Driver => new ReloadingDriver(_driver, () => new LocalClusterDriver(StateFolder.For(_folder.FullName), TimeProvider.System));

        public void Seed(JsonObject obj) => _driver.Seed(obj);

        public void EditByHand(ResourceKey key, JsonObject mergePatch) => _driver.Edit(key, obj => MemoryHarness.Merge(obj, mergePatch));

        public void SetStatus(ResourceKey key, JsonObject status) => _driver.UpdateStatus(key, status);

        public ValueTask DisposeAsync()
        {
            _folder.Delete(recursive: true);
            return ValueTask.CompletedTask;
        }
    }

    /// <summary>Writes through the long-lived driver and reads through one loaded from disk just now.</summary>
    private sealed class ReloadingDriver(IClusterDriver writer, Func<IClusterDriver> reader) : IClusterDriver
    {
        public Task<IReadOnlyList<JsonObject>> ReadManagedAsync(string environment, string @namespace, CancellationToken ct) =>
            reader().ReadManagedAsync(environment, @namespace, ct);

        public Task<JsonObject?> GetAsync(ResourceKey key, CancellationToken ct) => reader().GetAsync(key, ct);

        public Task<JsonObject> ApplyAsync(JsonObject desired, bool dryRun, CancellationToken ct) => writer.ApplyAsync(desired, dryRun, ct);

        public Task DeleteAsync(ResourceKey key, CancellationToken ct) => writer.DeleteAsync(key, ct);
    }

    private static async Task<IHarness> StartAsync(string driver) => driver switch
    {
        "memory" => new MemoryHarness(),
        "local" => new LocalHarness(),
        _ => new KubernetesHarness(await FakeCluster.StartAsync()),
    };

    private static JsonObject ConfigMap(JsonObject data, string environment = "prod")
    {
        var cm = FakeCluster.ConfigMap(Config.Name, environment);
        cm["data"] = data;
        return cm;
    }

    private static string Rv(JsonObject obj) => obj["metadata"]!["resourceVersion"]!.GetValue<string>();

    [Theory]
    [MemberData(nameof(Drivers))]
    public async Task Should_Read_Back_Applied_Objects_And_Not_Write_Again_For_The_Same_Object(string driver)
    {
        // Given
        await using var harness = await StartAsync(driver);
        var first = await harness.Driver.ApplyAsync(ConfigMap(new JsonObject { ["k"] = "v" }), false, CancellationToken.None);

        // When
        var second = await harness.Driver.ApplyAsync(ConfigMap(new JsonObject { ["k"] = "v" }), false, CancellationToken.None);
        var read = await harness.Driver.ReadManagedAsync("prod", "ml", CancellationToken.None);

        // Then
        Assert.Equal(Rv(first), Rv(second));
        var obj = Assert.Single(read);
        Assert.Equal(("v1", "ConfigMap", "v"), (obj["apiVersion"]!.GetValue<string>(), obj["kind"]!.GetValue<string>(), obj["data"]!["k"]!.GetValue<string>()));
        Assert.NotNull(obj["metadata"]!["uid"]);
    }

    [Theory]
    [MemberData(nameof(Drivers))]
    public async Task Should_Drop_Fields_No_Longer_Applied_But_Keep_Fields_Set_By_Others(string driver)
    {
        // Given
        await using var harness = await StartAsync(driver);
        await harness.Driver.ApplyAsync(ConfigMap(new JsonObject { ["a"] = "1", ["b"] = "2" }), false, CancellationToken.None);
        harness.EditByHand(Config, new JsonObject { ["data"] = new JsonObject { ["human"] = "h" } });

        // When
        var applied = await harness.Driver.ApplyAsync(ConfigMap(new JsonObject { ["a"] = "1" }), false, CancellationToken.None);

        // Then
        var data = applied["data"]!.AsObject();
        Assert.Equal(["a", "human"], data.Select(p => p.Key).Order());
    }

    [Theory]
    [MemberData(nameof(Drivers))]
    public async Task Should_Keep_Keys_Set_By_Others_When_An_Empty_Map_Gets_Keys(string driver)
    {
        // Given
        await using var harness = await StartAsync(driver);
        await harness.Driver.ApplyAsync(ConfigMap(new JsonObject()), false, CancellationToken.None);
        harness.EditByHand(Config, new JsonObject { ["data"] = new JsonObject { ["human"] = "h" } });

        // When
        var applied = await harness.Driver.ApplyAsync(ConfigMap(new JsonObject { ["a"] = "1" }), false, CancellationToken.None);

        // Then
        Assert.Equal(["a", "human"], applied["data"]!.AsObject().Select(p => p.Key).Order());
    }

    [Theory]
    [MemberData(nameof(Drivers))]
    public async Task Should_Restore_A_Field_Changed_By_Hand(string driver)
    {
        // Given
        await using var harness = await StartAsync(driver);
        await harness.Driver.ApplyAsync(ConfigMap(new JsonObject { ["a"] = "1" }), false, CancellationToken.None);
        harness.EditByHand(Config, new JsonObject { ["data"] = new JsonObject { ["a"] = "drifted" } });

        // When
        var applied = await harness.Driver.ApplyAsync(ConfigMap(new JsonObject { ["a"] = "1" }), false, CancellationToken.None);

        // Then
        Assert.Equal("1", applied["data"]!["a"]!.GetValue<string>());
    }

    [Theory]
    [MemberData(nameof(Drivers))]
    public async Task Should_Keep_Status_Written_By_The_Controller(string driver)
    {
        // Given
        await using var harness = await StartAsync(driver);
        var key = new ResourceKey("batch/v1", "Job", "ml", "train");
        await harness.Driver.ApplyAsync(FakeCluster.Managed("batch/v1", "Job", "train"), false, CancellationToken.None);
        harness.SetStatus(key, new JsonObject { ["active"] = 1 });

        // When
        var withStatus = FakeCluster.Managed("batch/v1", "Job", "train");
        withStatus["status"] = new JsonObject { ["active"] = 99 };
        var applied = await harness.Driver.ApplyAsync(withStatus, false, CancellationToken.None);

        // Then
        Assert.Equal(1, applied["status"]!["active"]!.GetValue<int>());
    }

    [Theory]
    [MemberData(nameof(Drivers))]
    public async Task Should_Read_Only_Objects_Managed_For_The_Environment_And_Namespace(string driver)
    {
        // Given
        await using var harness = await StartAsync(driver);
        harness.Seed(FakeCluster.ConfigMap("prod-a"));
        harness.Seed(FakeCluster.ConfigMap("staging-a", environment: "staging"));
        var unlabelled = FakeCluster.ConfigMap("foreign");
        unlabelled["metadata"]!.AsObject().Remove("labels");
        harness.Seed(unlabelled);
        var otherNamespace = FakeCluster.ConfigMap("elsewhere");
        otherNamespace["metadata"]!["namespace"] = "other";
        harness.Seed(otherNamespace);

        // When
        var read = await harness.Driver.ReadManagedAsync("prod", "ml", CancellationToken.None);

        // Then
        Assert.Equal("prod-a", Assert.Single(read)["metadata"]!["name"]!.GetValue<string>());
    }

    [Theory]
    [MemberData(nameof(Drivers))]
    public async Task Should_Delete_And_Accept_Deleting_What_Is_Already_Gone(string driver)
    {
        // Given
        await using var harness = await StartAsync(driver);
        await harness.Driver.ApplyAsync(ConfigMap(new JsonObject { ["a"] = "1" }), false, CancellationToken.None);

        // When
        await harness.Driver.DeleteAsync(Config, CancellationToken.None);
        await harness.Driver.DeleteAsync(Config, CancellationToken.None);

        // Then
        Assert.Null(await harness.Driver.GetAsync(Config, CancellationToken.None));
    }

    [Theory]
    [MemberData(nameof(Drivers))]
    public async Task Should_Persist_Nothing_On_Dry_Run(string driver)
    {
        // Given
        await using var harness = await StartAsync(driver);

        // When
        var result = await harness.Driver.ApplyAsync(ConfigMap(new JsonObject { ["a"] = "1" }), true, CancellationToken.None);

        // Then
        Assert.Equal("1", result["data"]!["a"]!.GetValue<string>());
        Assert.Null(await harness.Driver.GetAsync(Config, CancellationToken.None));
    }
}

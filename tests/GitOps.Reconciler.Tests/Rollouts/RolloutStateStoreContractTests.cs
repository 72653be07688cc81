using System.Text.Json.Nodes;
using GitOps.Planning.Cluster;
using GitOps.Reconciler.Drivers.Kubernetes;
using GitOps.Reconciler.Drivers.Local;
using GitOps.Reconciler.Rollouts;
using GitOps.Reconciler.Tests.Drivers.Kubernetes;
using GitOps.Rollouts.Persistence;
using GitOps.Rollouts.Rollout;

namespace GitOps.Reconciler.Tests.Rollouts;

/// <summary>
/// The same behaviours of <see cref="IRolloutStateStore"/> checked on the ConfigMap store over the fake API server and
/// on the local state folder (read back by a second store on the same folder, as another process would).
/// </summary>
public sealed class RolloutStateStoreContractTests
{
    public static TheoryData<string> Stores => ["kubernetes", "local"];

    private static readonly RolloutScope Prod = new("prod", "ml");
    private static readonly DateTimeOffset Now = new(2026, 3, 4, 14, 7, 0, TimeSpan.Zero);

    private static readonly RolloutState Canary20 = RolloutState.Initial with
    {
        Generation = 2,
        Stable = "v1",
        Canary = "v2",
        Phase = RolloutPhase.Progressing,
        StepIndex = 1,
        StepStartedAt = Now,
        RolloutStartedAt = Now.AddMinutes(-5),
        Weight = 20,
        History = [new RolloutEvent(Now, RolloutEventKind.StepStarted, "step 2 of 4: setWeight 20")],
    };

    internal interface IHarness : IAsyncDisposable
    {
        IRolloutStateStore Writer { get; }

        /// <summary>A second store on the same backing data (another process, another replica).</summary>
        IRolloutStateStore Reader { get; }

        FakeCluster? Cluster { get; }
    }

    private sealed class KubernetesHarness(FakeCluster cluster) : IHarness
    {
        public IRolloutStateStore Writer { get; } = new ConfigMapRolloutStateStore(cluster.Connection);

        public IRolloutStateStore Reader { get; } = new ConfigMapRolloutStateStore(cluster.Connection);

        public FakeCluster? Cluster => cluster;

        public ValueTask DisposeAsync() => cluster.DisposeAsync();
    }

    private sealed class LocalHarness : IHarness
    {
        private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("gitops-rollout-store-");

        public LocalHarness()
        {
            Writer = new LocalRolloutStateStore(StateFolder.For(_folder.FullName));
            Reader = new LocalRolloutStateStore(StateFolder.For(_folder.FullName));
        }

        public IRolloutStateStore Writer { get; }

        public IRolloutStateStore Reader { get; }

        public FakeCluster? Cluster => null;

        public ValueTask DisposeAsync()
        {
            _folder.Delete(recursive: true);
            return ValueTask.CompletedTask;
        }
    }

    private static async Task<IHarness> StartAsync(string store) =>
        store == "local" ? new LocalHarness() : new KubernetesHarness(await FakeCluster.StartAsync());

    private static RolloutCommand Promote(string actor = "alice") => new(RolloutCommandKind.Promote, actor, Now);

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task Should_Return_Null_When_Nothing_Was_Saved(string store)
    {
        // Given
        await using var harness = await StartAsync(store);

        // When
        var loaded = await harness.Reader.LoadAsync(Prod, "fraud", CancellationToken.None);

        // Then
        Assert.Null(loaded);
    }

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task Should_Read_Back_The_Saved_State_Exactly(string store)
    {
        // Given
        await using var harness = await StartAsync(store);

        // When
        var saved = await harness.Writer.SaveAsync(Prod, "fraud", Canary20, null, CancellationToken.None);
        var loaded = await harness.Reader.LoadAsync(Prod, "fraud", CancellationToken.None);

        // Then
        Assert.NotNull(loaded);
        Assert.Equal(("prod", "fraud", saved.ResourceVersion), (loaded.Environment, loaded.Model, loaded.ResourceVersion));
        Assert.Empty(loaded.PendingCommands);
        Assert.Equal(RolloutStateJson.Serialize(Canary20), RolloutStateJson.Serialize(loaded.State));
        Assert.Equal(Canary20.History.ToArray(), loaded.State.History.ToArray());
    }

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task Should_Refuse_A_Save_Based_On_A_Stale_Read(string store)
    {
        // Given
        await using var harness = await StartAsync(store);
        var first = await harness.Writer.SaveAsync(Prod, "fraud", Canary20, null, CancellationToken.None);
        await harness.Reader.SaveAsync(Prod, "fraud", Canary20 with { Weight = 50, StepIndex = 2 }, first.ResourceVersion, CancellationToken.None);

        // When
        var error = await Assert.ThrowsAsync<RolloutStateConflictException>(() =>
            harness.Writer.SaveAsync(Prod, "fraud", Canary20 with { Weight = 0, Phase = RolloutPhase.Degraded }, first.ResourceVersion, CancellationToken.None));

        // Then
        Assert.Equal(("prod", "fraud"), (error.Environment, error.Model));
        Assert.Equal(50, (await harness.Reader.LoadAsync(Prod, "fraud", CancellationToken.None))!.State.Weight);
    }

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task Should_Refuse_To_Create_A_Rollout_Someone_Else_Created(string store)
    {
        // Given
        await using var harness = await StartAsync(store);
        await harness.Reader.SaveAsync(Prod, "fraud", Canary20, null, CancellationToken.None);

        // When / Then
        await Assert.ThrowsAsync<RolloutStateConflictException>(() => harness.Writer.SaveAsync(Prod, "fraud", RolloutState.Initial, null, CancellationToken.None));
    }

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task Should_List_The_Rollouts_Of_One_Environment_By_Model_Name(string store)
    {
        // Given
        await using var harness = await StartAsync(store);
        await harness.Writer.SaveAsync(Prod, "fraud", Canary20, null, CancellationToken.None);
        await harness.Writer.SaveAsync(Prod, "churn", RolloutState.Initial with { Stable = "v7" }, null, CancellationToken.None);
        await harness.Writer.SaveAsync(new RolloutScope("staging", "ml-staging"), "fraud", RolloutState.Initial, null, CancellationToken.None);

        // When
        var listed = await harness.Reader.ListAsync(Prod, CancellationToken.None);

        // Then
        Assert.Equal(["churn", "fraud"], listed.Select(r => r.Model));
        Assert.Equal(["v7", "v1"], listed.Select(r => r.State.Stable));
    }

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task Should_Hand_A_Command_To_The_Reconciler_With_Who_And_When(string store)
    {
        // Given
        await using var harness = await StartAsync(store);
        await harness.Writer.SaveAsync(Prod, "fraud", Canary20, null, CancellationToken.None);

        // When
        var written = await harness.Reader.WriteCommandAsync(Prod, "fraud", Promote("alice"), CancellationToken.None);
        var pending = await harness.Writer.TakePendingCommandsAsync(Prod, "fraud", CancellationToken.None);

        // Then
        var command = Assert.Single(pending);
        Assert.Equal(written, command);
        Assert.Equal(new RolloutCommand(RolloutCommandKind.Promote, "alice", Now), command.Command);
        Assert.NotEmpty(command.Id);
    }

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task Should_Refuse_A_State_Save_That_Would_Lose_A_Command_Written_Since_The_Read(string store)
    {
        // Given
        await using var harness = await StartAsync(store);
        var read = await harness.Writer.SaveAsync(Prod, "fraud", Canary20, null, CancellationToken.None);
        await harness.Reader.WriteCommandAsync(Prod, "fraud", new RolloutCommand(RolloutCommandKind.Abort, "bob", Now), CancellationToken.None);

        // When
        await Assert.ThrowsAsync<RolloutStateConflictException>(() =>
            harness.Writer.SaveAsync(Prod, "fraud", Canary20 with { Weight = 50 }, read.ResourceVersion, CancellationToken.None));

        // Then
        var again = await harness.Writer.LoadAsync(Prod, "fraud", CancellationToken.None);
        Assert.Equal(RolloutCommandKind.Abort, Assert.Single(again!.PendingCommands).Command.Kind);
    }

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task Should_Clear_The_Applied_Command_In_The_Same_Write_As_The_New_State(string store)
    {
        // Given
        await using var harness = await StartAsync(store);
        await harness.Writer.SaveAsync(Prod, "fraud", Canary20, null, CancellationToken.None);
        var command = await harness.Reader.WriteCommandAsync(Prod, "fraud", Promote(), CancellationToken.None);
        var read = await harness.Writer.LoadAsync(Prod, "fraud", CancellationToken.None);

        // When
        var saved = await harness.Writer.SaveAsync(Prod, "fraud", Canary20 with { StepIndex = 2 }, read!.ResourceVersion, CancellationToken.None, command.Id);

        // Then
        var loaded = await harness.Reader.LoadAsync(Prod, "fraud", CancellationToken.None);
        Assert.Equal((saved.ResourceVersion, saved.LastCompletedCommandId), (loaded!.ResourceVersion, loaded.LastCompletedCommandId));
        Assert.Empty(loaded.PendingCommands);
        Assert.Equal((command.Id, 2), (loaded.LastCompletedCommandId, loaded.State.StepIndex));
        Assert.Empty(await harness.Reader.TakePendingCommandsAsync(Prod, "fraud", CancellationToken.None));
    }

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task Should_Keep_Every_Command_In_The_Order_Given_And_Mark_Them_Done_Up_To_One(string store)
    {
        // Given three commands given one after the other before the reconciler's pass
        await using var harness = await StartAsync(store);
        await harness.Writer.SaveAsync(Prod, "fraud", Canary20, null, CancellationToken.None);
        var first = await harness.Reader.WriteCommandAsync(Prod, "fraud", Promote("alice"), CancellationToken.None);
        var second = await harness.Reader.WriteCommandAsync(Prod, "fraud", new RolloutCommand(RolloutCommandKind.Abort, "bob", Now), CancellationToken.None);
        var third = await harness.Reader.WriteCommandAsync(Prod, "fraud", Promote("carol"), CancellationToken.None);

        // When the first two are marked done
        var pendingBefore = await harness.Writer.TakePendingCommandsAsync(Prod, "fraud", CancellationToken.None);
        var done = await harness.Writer.MarkCommandDoneAsync(Prod, "fraud", second.Id, CancellationToken.None);

        // Then none was lost or replaced, and only the newest stays pending
        Assert.Equal(new[] { first, second, third }, pendingBefore.ToArray());
        Assert.True(done);
        Assert.Equal(third, Assert.Single(await harness.Writer.TakePendingCommandsAsync(Prod, "fraud", CancellationToken.None)));
        Assert.Equal(second.Id, (await harness.Reader.LoadAsync(Prod, "fraud", CancellationToken.None))!.LastCompletedCommandId);
        Assert.False(await harness.Writer.MarkCommandDoneAsync(Prod, "fraud", first.Id, CancellationToken.None));
        Assert.True(await harness.Writer.MarkCommandDoneAsync(Prod, "fraud", third.Id, CancellationToken.None));
        Assert.Empty(await harness.Writer.TakePendingCommandsAsync(Prod, "fraud", CancellationToken.None));
    }

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task Should_Say_The_Model_Has_No_Rollout_When_A_Command_Names_An_Unknown_Model(string store)
    {
        // Given
        await using var harness = await StartAsync(store);

        // When
        var error = await Assert.ThrowsAsync<RolloutNotFoundException>(() =>
            harness.Writer.WriteCommandAsync(Prod, "frad", Promote(), CancellationToken.None));

        // Then
        Assert.Equal("model frad has no rollout in environment prod: the reconciler has not deployed it there yet", error.Message);
    }

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task Should_Let_Exactly_One_Of_Concurrent_Writers_From_The_Same_Read_Win(string store)
    {
        // Given
        await using var harness = await StartAsync(store);
        var read = await harness.Writer.SaveAsync(Prod, "fraud", Canary20, null, CancellationToken.None);

        // When
        var attempts = await Task.WhenAll(Enumerable.Range(1, 8).Select(async i =>
        {
            var writer = i % 2 == 0 ? harness.Writer : harness.Reader;
            try
            {
                await Task.Yield();
                await writer.SaveAsync(Prod, "fraud", Canary20 with { Weight = i }, read.ResourceVersion, CancellationToken.None);
                return i;
            }
            catch (RolloutStateConflictException)
            {
                return 0;
            }
        }));

        // Then
        var winner = Assert.Single(attempts, i => i != 0);
        Assert.Equal(winner, (await harness.Reader.LoadAsync(Prod, "fraud", CancellationToken.None))!.State.Weight);
    }

    public sealed class TheKubernetesForm
    {
        [Fact]
        public async Task Should_Keep_The_State_And_Command_In_The_Documented_ConfigMap()
        {
            // Given
            await using var cluster = await FakeCluster.StartAsync();
            var store = new ConfigMapRolloutStateStore(cluster.Connection);
            await store.SaveAsync(Prod, "fraud", Canary20, null, CancellationToken.None);

            // When
            var command = await store.WriteCommandAsync(Prod, "fraud", new RolloutCommand(RolloutCommandKind.PromoteFull, "alice", Now), CancellationToken.None);

            // Then
            var cm = cluster.Server.GetObject("v1", "ConfigMap", "ml", "gitops-rollout-fraud")!;
            Assert.StartsWith("{\"schemaVersion\":1,", cm["data"]!["state.json"]!.GetValue<string>());
            var annotation = JsonNode.Parse(cm["metadata"]!["annotations"]!["gitops.ml/rollout-command"]!.GetValue<string>())!;
            Assert.Equal(
                $$"""[{"command":"promoteFull","actor":"alice","at":"2026-03-04T14:07:00.0000000Z","id":"{{command.Id}}"}]""",
                annotation.ToJsonString());
        }

        [Fact]
        public void Should_Read_A_Command_Written_By_Hand_As_One_Object_And_Ignore_What_Is_Not_A_Command()
        {
            // Given the annotation as kubectl annotate writes it by hand (one object), and a list with a foreign entry
            var byHand = """{"command":"abort","actor":"carol","at":"2026-03-04T14:08:00Z","id":"by-hand-1"}""";
            var list = """[{"command":"promote","actor":"alice","at":"2026-03-04T14:07:00Z","id":"a"},{"note":"x"},{"command":"abort","actor":"bob","at":"2026-03-04T14:07:30Z","id":"b"}]""";

            // When
            var one = RolloutConfigMap.ParseCommands(byHand);
            var several = RolloutConfigMap.ParseCommands(list);

            // Then
            Assert.Equal(new PendingRolloutCommand("by-hand-1", new RolloutCommand(RolloutCommandKind.Abort, "carol", new DateTimeOffset(2026, 3, 4, 14, 8, 0, TimeSpan.Zero))), Assert.Single(one));
            Assert.Equal(["a", "b"], several.Select(c => c.Id));
            Assert.Empty(RolloutConfigMap.ParseCommands("not json"));
        }

        [Fact]
        public async Task Should_Not_Be_Seen_As_A_Managed_Object_So_Prune_Never_Deletes_It()
        {
            // Given
            await using var cluster = await FakeCluster.StartAsync();
            await new ConfigMapRolloutStateStore(cluster.Connection).SaveAsync(Prod, "fraud", Canary20, null, CancellationToken.None);

            // When
            var managed = await cluster.Driver().ReadManagedAsync("prod", "ml", CancellationToken.None);

            // Then
            Assert.Empty(managed);
        }

        [Fact]
        public async Task Should_Read_A_Command_Written_By_Hand_With_Kubectl_Annotate()
        {
            // Given
            await using var cluster = await FakeCluster.StartAsync();
            var store = new ConfigMapRolloutStateStore(cluster.Connection);
            await store.SaveAsync(Prod, "fraud", Canary20, null, CancellationToken.None);

            // When
            cluster.Server.EditByHand(new ResourceKey("v1", "ConfigMap", "ml", "gitops-rollout-fraud"), new JsonObject
            {
                ["metadata"] = new JsonObject
                {
                    ["annotations"] = new JsonObject
                    {
                        ["gitops.ml/rollout-command"] = """{"command":"abort","actor":"carol","at":"2026-03-04T14:08:00Z","id":"by-hand-1"}""",
                    },
                },
            });

            // Then
            var pending = Assert.Single(await store.TakePendingCommandsAsync(Prod, "fraud", CancellationToken.None));
            Assert.Equal(new PendingRolloutCommand("by-hand-1", new RolloutCommand(RolloutCommandKind.Abort, "carol", Now.AddMinutes(1))), pending);
        }

        [Fact]
        public async Task Should_Name_The_Manifest_That_Grants_Access_When_Forbidden()
        {
            // Given
            await using var cluster = await FakeCluster.StartAsync();
            cluster.Server.Refuse(GitOps.Testing.FakeKubernetes.FakeRefusal.Forbidden("configmaps"));

            // When
            var error = await Assert.ThrowsAsync<KubernetesApiException>(() =>
                new ConfigMapRolloutStateStore(cluster.Connection).LoadAsync(Prod, "fraud", CancellationToken.None));

            // Then
            Assert.Equal(403, error.StatusCode);
            Assert.Contains(ApiRefusal.EnvironmentGrant, error.Message);
        }
    }
}

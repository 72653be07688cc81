using GitOps.Planning.Cluster;
using GitOps.Reconciler.Drivers.Kubernetes;
using GitOps.Reconciler.Tests.Drivers.Kubernetes;
using GitOps.Testing.FakeKubernetes;

namespace GitOps.Reconciler.Tests.Webhooks;

/// <summary>The push relay against the fake API server over HTTP: what one replica publishes, every other one's watch
/// yields, once, including across a watch the server ended or whose history it compacted.</summary>
public sealed class ConfigMapPushRelayTests
{
    private const string Namespace = "gitops-system";
    private static readonly ResourceKey PushConfigMap = new("v1", "ConfigMap", Namespace, ConfigMapPushRelay.Name);

    public sealed class ThePublishAsyncMethod
    {
        [Fact]
        public async Task Should_Create_The_ConfigMap_Then_Update_It_With_Each_Delivery()
        {
            // Given
            await using var cluster = await FakeCluster.StartAsync();
            var relay = new ConfigMapPushRelay(cluster.Connection, Namespace, "replica-a");

            // When
            await relay.PublishAsync("delivery-1", CancellationToken.None);
            await relay.PublishAsync("delivery-2", CancellationToken.None);

            // Then
            var stored = cluster.Server.GetObject(PushConfigMap);
            Assert.NotNull(stored);
            Assert.Equal("delivery-2", stored["data"]?["delivery"]?.GetValue<string>());
            Assert.Equal("replica-a", stored["data"]?["receivedBy"]?.GetValue<string>());
            Assert.Equal("true", stored["metadata"]?["labels"]?[ConfigMapPushRelay.Label]?.GetValue<string>());
            Assert.Equal(1, cluster.Server.RequestCount("create"));
            Assert.Equal(1, cluster.Server.RequestCount("update"));
        }

        [Fact]
        public async Task Should_Name_The_Role_To_Fix_When_The_Server_Forbids_It()
        {
            // Given a service account without the grant
            await using var cluster = await FakeCluster.StartAsync();
            cluster.Server.Refuse(new FakeRefusal { Code = 403, Resource = "configmaps" });
            var relay = new ConfigMapPushRelay(cluster.Connection, Namespace, "replica-a");

            // When
            var refused = await Assert.ThrowsAnyAsync<KubernetesApiException>(() => relay.PublishAsync("delivery-1", CancellationToken.None));

            // Then a message for a person, asked once
            Assert.Equal(403, refused.StatusCode);
            Assert.Contains(ApiRefusal.StateGrant, refused.Message, StringComparison.Ordinal);
            Assert.Equal(1, cluster.Server.RequestCount("get"));
        }
    }

    public sealed class TheWatchAsyncMethod
    {
        [Fact]
        public async Task Should_Yield_Each_Delivery_Another_Replica_Publishes_But_Not_The_One_Before_It_Started()
        {
            // Given a push published before the watch starts
            await using var cluster = await FakeCluster.StartAsync();
            var other = new ConfigMapPushRelay(cluster.Connection, Namespace, "replica-b");
            await other.PublishAsync("before", CancellationToken.None);
            await using var watch = Watch(cluster);

            // When two more are published, the second one the server's watch timeout separates from the first
            await watch.OpenedAsync();
            await other.PublishAsync("first", CancellationToken.None);
            var first = await watch.NextAsync();
            cluster.Server.CloseWatches();
            await other.PublishAsync("second", CancellationToken.None);

            // Then
            Assert.Equal("first", first);
            Assert.Equal("second", await watch.NextAsync());
        }

        [Fact]
        public async Task Should_Yield_A_Delivery_Published_While_The_History_Was_Compacted()
        {
            // Given a running watch
            await using var cluster = await FakeCluster.StartAsync();
            var other = new ConfigMapPushRelay(cluster.Connection, Namespace, "replica-b");
            await other.PublishAsync("before", CancellationToken.None);
            await using var watch = Watch(cluster);
            await watch.OpenedAsync();

            // When the server ends the stream, a push is published before the watch is open again, and the server
            // forgets its history meanwhile (the watch from where it stopped is answered 410 Gone)
            cluster.Server.DelayNext(1, TimeSpan.FromMilliseconds(500), verb: "watch");
            cluster.Server.CloseWatches();
            await other.PublishAsync("during", CancellationToken.None);
            cluster.Server.CompactHistory();

            // Then the listing after the 410 yields it, once, and the watch after it the next one
            Assert.Equal("during", await watch.NextAsync());
            await other.PublishAsync("after", CancellationToken.None);
            Assert.Equal("after", await watch.NextAsync());
        }

        private static RelayWatch Watch(FakeCluster cluster) => new(cluster, new ConfigMapPushRelay(cluster.Connection, Namespace, "replica-a"));
    }

    /// <summary>A running <see cref="ConfigMapPushRelay.WatchAsync"/>, read one delivery at a time.</summary>
    private sealed class RelayWatch : IAsyncDisposable
    {
        private readonly FakeCluster _cluster;
        private readonly CancellationTokenSource _stop = new(TimeSpan.FromSeconds(60));
        private readonly IAsyncEnumerator<string> _deliveries;
        private readonly int _watchesBefore;
        private ValueTask<bool> _next;

        public RelayWatch(FakeCluster cluster, ConfigMapPushRelay relay)
        {
            _cluster = cluster;
            _watchesBefore = cluster.Server.RequestCount("watch");
            _deliveries = relay.WatchAsync(_stop.Token).GetAsyncEnumerator(_stop.Token);
            _next = _deliveries.MoveNextAsync();
        }

        /// <summary>Waits until the watch request reached the server: a publish after it is an event for the watch.</summary>
        public Task OpenedAsync() => Eventually.TrueAsync(() => _cluster.Server.RequestCount("watch") > _watchesBefore);

        public async Task<string> NextAsync()
        {
            Assert.True(await _next, "the watch ended unexpectedly");
            var delivery = _deliveries.Current;
            _next = _deliveries.MoveNextAsync();
            return delivery;
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            try
            {
                await _next;
            }
            catch (OperationCanceledException)
            {
                // The watch ends by cancellation.
            }
            await _deliveries.DisposeAsync();
            _stop.Dispose();
        }
    }
}

using System.Text.Json.Nodes;
using GitOps.Planning.Cluster;
using GitOps.Reconciler.Drivers.Kubernetes;
using GitOps.Reconciler.Loop;
using GitOps.Testing.FakeKubernetes;

namespace GitOps.Reconciler.Tests.Drivers.Kubernetes;

/// <summary>A fake API server with a kubeconfig pointing at it (bearer token required), and a connection built
/// from that kubeconfig the way production builds it.</summary>
internal sealed class FakeCluster : IAsyncDisposable
{
    public const string Token = "test-token-7f3a";

    private readonly string _directory;

    private FakeCluster(FakeKubernetesApiServer server, string directory, KubernetesApiConnection connection)
    {
        Server = server;
        _directory = directory;
        Connection = connection;
    }

    public FakeKubernetesApiServer Server { get; }

    public KubernetesApiConnection Connection { get; }

    public static RetryPolicy FastRetry { get; } = new()
    {
        Backoff = new Backoff(TimeSpan.FromMilliseconds(1), TimeSpan.FromMilliseconds(5)),
        RequestTimeout = TimeSpan.FromSeconds(20),
    };

    public static async Task<FakeCluster> StartAsync(RetryPolicy? retry = null, TimeProvider? time = null, FakeKubernetesApiServerOptions? options = null)
    {
        var server = await FakeKubernetesApiServer.StartAsync((options ?? new FakeKubernetesApiServerOptions()) with { BearerToken = Token });
        var directory = Directory.CreateTempSubdirectory("gitops-kube-").FullName;
        var kubeconfig = server.WriteKubeconfig(Path.Combine(directory, "kubeconfig"), contextName: "fake", @namespace: "ml");
        var connection = KubernetesApiConnection.FromKubeconfig(kubeconfig, "fake", retry ?? FastRetry, time);
        return new FakeCluster(server, directory, connection);
    }

    public KubernetesClusterDriver Driver(KubernetesDriverOptions? options = null) => new(Connection, options);

    public static JsonObject Managed(string apiVersion, string kind, string name, string environment = "prod", JsonObject? spec = null, string specField = "spec")
    {
        var obj = new JsonObject
        {
            ["apiVersion"] = apiVersion,
            ["kind"] = kind,
            ["metadata"] = new JsonObject
            {
                ["name"] = name,
                ["namespace"] = "ml",
                ["labels"] = new JsonObject
                {
                    [ManagedLabels.ManagedBy] = ManagedLabels.ManagedByValue,
                    [ManagedLabels.Environment] = environment,
                },
            },
        };
        obj[specField] = spec ?? new JsonObject { ["replicas"] = 1 };
        return obj;
    }

    public static JsonObject ConfigMap(string name, string environment = "prod", string value = "v") =>
        Managed("v1", "ConfigMap", name, environment, new JsonObject { ["key"] = value }, specField: "data");

    public async ValueTask DisposeAsync()
    {
        Connection.Dispose();
        await Server.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }
}

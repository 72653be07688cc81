using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using GitOps.Planning.Monitoring;
using GitOps.Reconciler.Drivers.Local;
using Microsoft.Extensions.Logging.Abstractions;

namespace GitOps.Reconciler.Tests.Drivers.Local;

/// <summary>The local runtime's Prometheus loads the environment's PrometheusRule objects, as the operator would.</summary>
public sealed class PrometheusRulesTests : IAsyncLifetime
{
    private readonly string _root = Directory.CreateTempSubdirectory("gitops-local-rules-").FullName;
    private PrometheusProcess _prometheus = null!;
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(5) };

    public async Task InitializeAsync()
    {
        var state = StateFolder.For(_root);
        state.Create();
        _prometheus = new PrometheusProcess(state, new ProcessTable(state), TimeProvider.System, NullLogger.Instance);
        await _prometheus.StartAsync(new IPEndPoint(IPAddress.Loopback, FreePort()), new Uri("http://127.0.0.1:9/metrics"), CancellationToken.None);
        Assert.True(_prometheus.Address is not null, _prometheus.Problem);
    }

    public async Task DisposeAsync()
    {
        await _prometheus.StopAsync(CancellationToken.None);
        _http.Dispose();
        Directory.Delete(_root, recursive: true);
    }

    [Fact]
    public async Task Should_Load_The_Rule_Groups_And_Drop_Them_Again_When_PrometheusRule_Objects_Come_And_Go()
    {
        // Given the platform rules of a local environment as the renderer emits them
        var scope = new AlertScope("local", "ml-local", Runbooks.DefaultBase, LeaderElection: false);
        var rule = new JsonObject
        {
            ["apiVersion"] = "monitoring.coreos.com/v1",
            ["kind"] = "PrometheusRule",
            ["metadata"] = new JsonObject { ["name"] = "gitops-platform-local", ["namespace"] = "ml-local" },
            ["spec"] = AlertRuleSet.ToJson([PlatformAlerts.For(scope)]),
        };

        // When the object appears
        _prometheus.WriteRules([rule]);

        // Then Prometheus evaluates its alerts
        var loaded = await WaitForGroupsAsync(groups => groups.Contains("gitops-platform-local"));
        Assert.Contains("gitops-platform-local", loaded);

        // When it is removed
        _prometheus.WriteRules([]);

        // Then the group is gone
        Assert.DoesNotContain("gitops-platform-local", await WaitForGroupsAsync(groups => groups.Count == 0));
    }

    private async Task<List<string>> WaitForGroupsAsync(Func<List<string>, bool> done)
    {
        var deadline = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(30);
        List<string> groups = [];
        while (DateTimeOffset.UtcNow < deadline)
        {
            var body = JsonNode.Parse(await _http.GetStringAsync(new Uri(_prometheus.Address!, "api/v1/rules")))!;
            groups = [.. body["data"]!["groups"]!.AsArray().Select(g => g!["name"]!.GetValue<string>())];
            if (done(groups))
            {
                return groups;
            }
            await Task.Delay(TimeSpan.FromMilliseconds(200));
        }
        return groups;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

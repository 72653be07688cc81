using System.Net;
using System.Text;
using GitOps.Reconciler.Hosting;
using GitOps.Reconciler.Loop;
using GitOps.Reconciler.Metrics;
using GitOps.Reconciler.Tests.Support;
using GitOps.Reconciler.Webhooks;
using GitOps.Testing.FakeGitHub;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace GitOps.Reconciler.Tests.Hosting;

public sealed class ReconcilerHostTests
{
    private const string Secret = "It's a Secret to Everybody";

    /// <summary>A running host on 127.0.0.1 with a free port, and what it reports into.</summary>
    private sealed class RunningHost : IAsyncDisposable
    {
        private readonly WebApplication _app;

        private RunningHost(WebApplication app, Uri address)
        {
            _app = app;
            Client = new HttpClient { BaseAddress = address };
        }

        public required ReconcileTrigger Trigger { get; init; }
        public required ReconcilerHealth Health { get; init; }
        public required ReconcilerMetrics Metrics { get; init; }
        public required ListLoggerProvider Logs { get; init; }
        public HttpClient Client { get; }
        public IServiceProvider Services => _app.Services;

        public static async Task<RunningHost> StartAsync(string? secret = Secret, string branch = "main", IPushRelay? relay = null)
        {
            var trigger = new ReconcileTrigger();
            var health = new ReconcilerHealth();
            var metrics = new ReconcilerMetrics(includeProcessMetrics: false);
            var logs = new ListLoggerProvider();
            var options = new ReconcilerHostOptions
            {
                Listen = new IPEndPoint(IPAddress.Loopback, 0),
                Branch = branch,
                WebhookSecret = secret is null ? null : WebhookSecret.FromValue(secret, "test"),
                Relay = relay,
            };
            var app = ReconcilerHost.Build(options, metrics, trigger, health, logs.CreateFactory());
            await app.StartAsync();
            return new RunningHost(app, ReconcilerHost.BoundAddress(app))
            {
                Trigger = trigger,
                Health = health,
                Metrics = metrics,
                Logs = logs,
            };
        }

        public Task<HttpResponseMessage> PostWebhookAsync(string body, string? signature, string eventName = "push", string? delivery = null)
        {
            var request = new HttpRequestMessage(HttpMethod.Post, "/webhook/github")
            {
                Content = new StringContent(body, Encoding.UTF8, "application/json"),
            };
            request.Headers.Add("X-GitHub-Event", eventName);
            request.Headers.Add("X-GitHub-Delivery", delivery ?? Guid.NewGuid().ToString());
            if (signature is not null)
            {
                request.Headers.TryAddWithoutValidation(GitHubWebhookSignature.HeaderName, signature);
            }
            return Client.SendAsync(request);
        }

        public async ValueTask DisposeAsync()
        {
            Client.Dispose();
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }

    private static string Push(string branch) => GitHubPushPayload.Create(branch);

    /// <summary>A relay that records what is published (or fails as told) and relays nothing back.</summary>
    private sealed class RecordingRelay : IPushRelay
    {
        public List<string> Published { get; } = [];

        public Exception? Failure { get; init; }

        public Task PublishAsync(string delivery, CancellationToken ct)
        {
            if (Failure is not null)
            {
                return Task.FromException(Failure);
            }
            Published.Add(delivery);
            return Task.CompletedTask;
        }

        public async IAsyncEnumerable<string> WatchAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
        {
            await Task.Delay(Timeout.Infinite, ct);
            yield break;
        }
    }

    private static string Sign(string body, string secret = Secret) =>
        GitHubWebhookSignature.Compute(Encoding.UTF8.GetBytes(body), secret);

    public sealed class TheWebhookEndpoint
    {
        [Fact]
        public async Task Should_Trigger_A_Fetch_When_A_Signed_Push_To_The_Branch_Arrives()
        {
            // Given
            await using var host = await RunningHost.StartAsync();
            var body = Push("main");

            // When
            using var response = await host.PostWebhookAsync(body, Sign(body));

            // Then
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
            Assert.True(host.Trigger.TryTake(out var reason));
            Assert.StartsWith("webhook push", reason);
        }

        [Fact]
        public async Task Should_Trigger_A_Fetch_When_A_Push_From_A_Server_Sending_Fewer_Fields_Arrives()
        {
            // Given the ref, before and after only, as Git servers speaking GitHub's webhook dialect may send
            await using var host = await RunningHost.StartAsync();
            const string body = """{"ref":"refs/heads/main","before":"0000000000000000000000000000000000000001","after":"0123456789abcdef0123456789abcdef01234567"}""";

            // When
            using var response = await host.PostWebhookAsync(body, Sign(body));

            // Then
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
            Assert.Equal(1, host.Trigger.RequestedCount);
        }

        [Fact]
        public async Task Should_Return_400_When_A_Signed_Push_Is_Json_Of_Another_Shape()
        {
            // Given
            await using var host = await RunningHost.StartAsync();
            const string body = """[{"ref":"refs/heads/main"}]""";

            // When
            using var response = await host.PostWebhookAsync(body, Sign(body));

            // Then
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Equal(0, host.Trigger.RequestedCount);
        }

        [Fact]
        public async Task Should_Return_401_And_Trigger_Nothing_When_The_Signature_Is_Invalid()
        {
            // Given
            await using var host = await RunningHost.StartAsync();
            var body = Push("main");

            // When
            using var response = await host.PostWebhookAsync(body, Sign(body, "another secret"));

            // Then
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.False(host.Trigger.TryTake(out _));
            Assert.Equal(0, host.Trigger.RequestedCount);
        }

        [Fact]
        public async Task Should_Return_401_And_Trigger_Nothing_When_The_Signature_Is_Missing()
        {
            // Given
            await using var host = await RunningHost.StartAsync();

            // When
            using var response = await host.PostWebhookAsync(Push("main"), signature: null);

            // Then
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.Equal(0, host.Trigger.RequestedCount);
        }

        [Fact]
        public async Task Should_Return_401_When_A_Replayed_Signature_Comes_With_An_Altered_Body()
        {
            // Given a genuine delivery, captured and accepted once
            await using var host = await RunningHost.StartAsync();
            var original = Push("main");
            var signature = Sign(original);
            using (var first = await host.PostWebhookAsync(original, signature))
            {
                Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
            }
            Assert.True(host.Trigger.TryTake(out _));

            // When its signature is replayed over a body that says something else
            var altered = original.Replace("6113728f27ae82c7", "fedcba9876543210", StringComparison.Ordinal);
            Assert.NotEqual(original, altered);
            using var response = await host.PostWebhookAsync(altered, signature);

            // Then
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.False(host.Trigger.TryTake(out _));
            Assert.Equal(1, host.Trigger.RequestedCount);
        }

        [Fact]
        public async Task Should_Trigger_Once_When_The_Same_Delivery_Is_Replayed_Unchanged()
        {
            // Given
            await using var host = await RunningHost.StartAsync();
            var body = Push("main");
            var delivery = Guid.NewGuid().ToString();

            // When
            using var first = await host.PostWebhookAsync(body, Sign(body), delivery: delivery);
            using var replay = await host.PostWebhookAsync(body, Sign(body), delivery: delivery);

            // Then
            Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
            Assert.Equal(HttpStatusCode.OK, replay.StatusCode);
            Assert.Equal(1, host.Trigger.RequestedCount);
        }

        [Fact]
        public async Task Should_Tell_The_Other_Replicas_Of_A_Push_With_Its_Delivery()
        {
            // Given
            var relay = new RecordingRelay();
            await using var host = await RunningHost.StartAsync(relay: relay);
            var body = Push("main");

            // When
            using var response = await host.PostWebhookAsync(body, Sign(body), delivery: "delivery-7");

            // Then
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
            Assert.Equal(["delivery-7"], relay.Published);
            Assert.Contains("gitops_webhook_pushes_total{source=\"received\"} 1", await host.Metrics.ExportAsync(CancellationToken.None), StringComparison.Ordinal);
        }

        [Fact]
        public async Task Should_Still_Fetch_Here_And_Say_Why_When_The_Other_Replicas_Cannot_Be_Told()
        {
            // Given a relay the API server refuses
            var relay = new RecordingRelay { Failure = new HttpRequestException("connection refused (127.0.0.1:6443)") };
            await using var host = await RunningHost.StartAsync(relay: relay);
            var body = Push("main");

            // When
            using var response = await host.PostWebhookAsync(body, Sign(body), delivery: "delivery-8");

            // Then the delivery is answered as a fetch here, and the log says what the others do instead
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
            Assert.True(host.Trigger.TryTake(out _));
            Assert.Contains(host.Logs.Lines, l => l.Contains("delivery-8: could not tell the other reconciler replicas (connection refused", StringComparison.Ordinal)
                && l.Contains("they fetch at their interval", StringComparison.Ordinal));
        }

        [Fact]
        public async Task Should_Ignore_A_Push_To_Another_Branch()
        {
            // Given
            await using var host = await RunningHost.StartAsync(branch: "main");
            var body = Push("feature/x");

            // When
            using var response = await host.PostWebhookAsync(body, Sign(body));

            // Then
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Contains("ignored", await response.Content.ReadAsStringAsync());
            Assert.Equal(0, host.Trigger.RequestedCount);
        }

        [Fact]
        public async Task Should_Answer_A_Signed_Ping_Without_Triggering()
        {
            // Given
            await using var host = await RunningHost.StartAsync();
            const string body = """{"zen":"Keep it logically awesome."}""";

            // When
            using var response = await host.PostWebhookAsync(body, Sign(body), eventName: "ping");

            // Then
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(0, host.Trigger.RequestedCount);
        }

        [Fact]
        public async Task Should_Return_400_When_A_Signed_Push_Is_Not_Json()
        {
            // Given
            await using var host = await RunningHost.StartAsync();
            const string body = "ref=refs/heads/main";

            // When
            using var response = await host.PostWebhookAsync(body, Sign(body));

            // Then
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Equal(0, host.Trigger.RequestedCount);
        }

        [Fact]
        public async Task Should_Not_Be_Served_When_No_Secret_Is_Configured()
        {
            // Given
            await using var host = await RunningHost.StartAsync(secret: null);
            var body = Push("main");

            // When
            using var response = await host.PostWebhookAsync(body, Sign(body));

            // Then
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            Assert.Equal(0, host.Trigger.RequestedCount);
        }

        [Fact]
        public async Task Should_Never_Log_The_Secret()
        {
            // Given
            await using var host = await RunningHost.StartAsync();
            var body = Push("main");

            // When
            using var good = await host.PostWebhookAsync(body, Sign(body));
            using var bad = await host.PostWebhookAsync(body, Sign(body, "wrong"));

            // Then
            Assert.NotEmpty(host.Logs.Lines);
            Assert.DoesNotContain(host.Logs.Lines, l => l.Contains(Secret, StringComparison.Ordinal));
        }
    }

    public sealed class TheHealthEndpoints
    {
        [Fact]
        public async Task Should_Report_Not_Ready_Until_The_Loop_Starts()
        {
            // Given
            await using var host = await RunningHost.StartAsync();

            // When
            using var before = await host.Client.GetAsync("/readyz");
            host.Health.MarkStarted();
            using var after = await host.Client.GetAsync("/readyz");
            using var live = await host.Client.GetAsync("/healthz");

            // Then
            Assert.Equal(HttpStatusCode.ServiceUnavailable, before.StatusCode);
            Assert.Equal(HttpStatusCode.OK, after.StatusCode);
            Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        }

        [Fact]
        public async Task Should_Serve_Them_From_Aspnet_Health_Checks_When_The_Host_Is_Built()
        {
            // Given
            await using var host = await RunningHost.StartAsync();
            var checks = host.Services.GetRequiredService<HealthCheckService>();

            // When
            var live = await checks.CheckHealthAsync(c => c.Tags.Contains(HealthEndpoints.LiveTag));
            var ready = await checks.CheckHealthAsync(c => c.Tags.Contains(HealthEndpoints.ReadyTag));
            using var readyz = await host.Client.GetAsync("/readyz");

            // Then
            Assert.Equal(HealthStatus.Healthy, live.Status);
            Assert.Equal(HealthStatus.Unhealthy, ready.Status);
            Assert.Equal("starting", Assert.Single(ready.Entries).Value.Description);
            Assert.Equal("starting\n", await readyz.Content.ReadAsStringAsync());
            Assert.Equal("text/plain", readyz.Content.Headers.ContentType?.MediaType);
        }

        [Fact]
        public async Task Should_Report_Not_Live_When_The_Loop_Has_Stopped()
        {
            // Given
            await using var host = await RunningHost.StartAsync();
            host.Health.MarkStarted();

            // When
            host.Health.MarkFaulted("status store unreachable");
            using var live = await host.Client.GetAsync("/healthz");
            using var ready = await host.Client.GetAsync("/readyz");

            // Then
            Assert.Equal(HttpStatusCode.ServiceUnavailable, live.StatusCode);
            Assert.Contains("status store unreachable", await live.Content.ReadAsStringAsync());
            Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        }
    }

    public sealed class TheMetricsEndpoint
    {
        [Fact]
        public async Task Should_Serve_Reconcile_Metrics_In_Prometheus_Text_Format()
        {
            // Given
            await using var host = await RunningHost.StartAsync();
            var now = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
            host.Metrics.RecordOutcome(new ReconcileOutcome.NoChange("prod", "abc", PlanSummary.Empty, 0), TimeSpan.FromSeconds(1), now);
            host.Metrics.RecordFetch(TimeSpan.FromMilliseconds(20), succeeded: false);
            host.Metrics.SetLeader(true);

            // When
            var text = await host.Client.GetStringAsync("/metrics");

            // Then
            Assert.Contains("gitops_reconcile_outcomes_total{environment=\"prod\",outcome=\"NoChange\"} 1", text);
            Assert.Contains("gitops_reconcile_duration_seconds_count{environment=\"prod\"} 1", text);
            Assert.Contains("gitops_git_fetch_errors_total 1", text);
            Assert.Contains("gitops_last_successful_sync_timestamp_seconds{environment=\"prod\"} 1767225600", text);
            Assert.Contains("gitops_leader 1", text);
        }
    }

    public sealed class TheParseListenMethod
    {
        [Theory]
        [InlineData("127.0.0.1:8080", "127.0.0.1:8080")]
        [InlineData("0.0.0.0:9000", "0.0.0.0:9000")]
        [InlineData("localhost:8080", "127.0.0.1:8080")]
        [InlineData("[::]:8080", "[::]:8080")]
        public void Should_Parse_Host_And_Port(string text, string expected)
        {
            // When
            var endpoint = ReconcilerHost.ParseListen(text);

            // Then
            Assert.Equal(expected, endpoint?.ToString());
        }

        [Theory]
        [InlineData("8080")]
        [InlineData("127.0.0.1")]
        [InlineData("127.0.0.1:")]
        [InlineData("example:80")]
        [InlineData("[::1]")]
        public void Should_Reject_What_Is_Not_Host_Colon_Port(string text)
        {
            // When
            var endpoint = ReconcilerHost.ParseListen(text);

            // Then
            Assert.Null(endpoint);
        }
    }
}

using System.Net;
using GitOps.Planning.Rendering;
using GitOps.Policy;
using GitOps.Reconciler.Analysis;
using GitOps.Reconciler.Drivers.Local;
using GitOps.Reconciler.Registry;
using GitOps.Reconciler.Rollouts;
using GitOps.Reconciler.Status;
using GitOps.Reconciler.WebConsole;
using GitOps.Rollouts.Analysis;
using GitOps.Rollouts.Rollout;
using GitOps.Specs;
using GitOps.Specs.Contracts;
using GitOps.Specs.Model;
using GitOps.Testing.Golden;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Prometheus;

namespace GitOps.Reconciler.Tests.WebConsole;

/// <summary>
/// What a platform user's console shows, made real: a local-runtime state folder with an environment status, registry
/// facts and a rollout in its analysis step (written through the real stores), the specs of testdata/console, and a
/// real Prometheus scraping drift gauges named as the serving process names them. Environment <c>prod</c> has all of
/// it; <c>dev</c> has nothing yet and no Prometheus. Shared by the console's test classes.
/// </summary>
public sealed class ConsoleState : IAsyncLifetime
{
    public const string Token = "console-test-token-7f3a";
    public const string Model = "fraud-detector";
    public const string Commit = "4b825dc642cb6eb9a060e54bf8d69288fbee4904";
    public const int ErrorRateMeasurements = 6;

    /// <summary>A status message with markup in it: the page must show it as text.</summary>
    public const string MarkupMessage = "applied 4b825dc642cb: <b id=\"injected\">create=2</b> update=0";

    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("gitops-console-");
    private WebApplication? _exporter;

    public StateFolder State => StateFolder.For(_folder.FullName);
    public SpecSet Specs { get; private set; } = null!;
    public GitOps.Testing.Prometheus.PrometheusProcess Prometheus { get; private set; } = null!;
    public DateTimeOffset AnalysisStart { get; } = new(2026, 11, 30, 22, 0, 0, TimeSpan.Zero);

    public ConsoleSources Sources => new()
    {
        Environments = () => [new ConsoleEnvironment("prod", "ml", Prometheus.BaseUrl), new ConsoleEnvironment("dev", "ml-dev", null)],
        Status = (environment, _) => Task.FromResult(LocalStatusViews.FromStateFolder(State, environment)),
        Rollouts = new LocalRolloutStateStore(State),
        Facts = new LocalRegistryFactStore(State),
        Specs = () => Specs,
    };

    public ConsoleSite Site(ConsoleAuth auth = ConsoleAuth.Token) =>
        new(ConsoleOptions.Create(auth, auth == ConsoleAuth.Token ? ConsoleToken.FromValue(Token, "test") : null,
            new IPEndPoint(IPAddress.Loopback, 0)).Options!, Sources);

    public async Task InitializeAsync()
    {
        var ct = CancellationToken.None;
        var load = RepositoryValidator.Validate(SpecFileReader.Read(RepositoryPaths.Combine("tests", "GitOps.Reconciler.Tests", "testdata", "console")));
        Assert.False(load.HasErrors, string.Join("\n", load.Diagnostics));
        Specs = load.Specs;
        State.Create();

        await new LocalStatusStore(State, "ml").SaveAsync(new EnvironmentStatus
        {
            Environment = "prod",
            Outcome = "Applied",
            LastAttemptedCommit = Commit,
            LastAppliedCommit = Commit,
            Message = MarkupMessage,
            Held = "churn-scorer 9a75b5701b77 rejected: gates rejected: auc 0.81 < 0.85",
        }, ct);

        var facts = RegistryFacts.Empty
            .WithTrained(Model, "v1").WithTrained(Model, "v2")
            .WithDeployment(Model, "prod", new DeploymentFacts("v1", null))
            .WithTrained("churn-scorer", "9a75b5701b77");
        Assert.True(await new LocalRegistryFactStore(State).SaveAsync("prod", DurableFacts.ToText(facts), null, ct));

        var measurements = Enumerable.Range(0, ErrorRateMeasurements).Select(i => new Measurement(
            "error-rate", AnalysisStart.AddMinutes(i), "sum(rate(...))", 0.002 + (0.001 * i), 120 + i,
            i == ErrorRateMeasurements - 1 ? MeasurementPhase.Failed : MeasurementPhase.Successful,
            i == ErrorRateMeasurements - 1 ? "failureCondition result >= 0.05 met" : "successCondition met"));
        var state = RolloutState.Initial with
        {
            Generation = 3,
            Stable = "v1",
            Canary = "v2",
            Phase = RolloutPhase.Progressing,
            StepIndex = 1,
            Weight = 10,
            RolloutStartedAt = AnalysisStart.AddMinutes(-2),
            StepStartedAt = AnalysisStart,
            StepAnalysis = new AnalysisRun
            {
                Id = "3-1-step",
                Metrics = ["error-rate"],
                StartedAt = AnalysisStart,
                Measurements = [.. measurements],
            },
            History = [new RolloutEvent(AnalysisStart.AddMinutes(-2), RolloutEventKind.Started, "rollout of v2 started (stable v1)")],
        };
        await new LocalRolloutStateStore(State).SaveAsync(new RolloutScope("prod", "ml"), Model, state, null, ct);

        _exporter = await StartDriftExporterAsync(ct);
        Prometheus = await GitOps.Testing.Prometheus.PrometheusProcess.StartAsync([ReconcilerHost(_exporter)], ct);
        var client = new PrometheusClient(new HttpClient(), new PrometheusOptions { BaseUrl = Prometheus.BaseUrl });
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while ((await client.QueryVectorAsync(MonitoringMetrics.FeatureDriftPsi, DateTimeOffset.UtcNow, ct)).Series.Length < 2)
        {
            Assert.True(DateTime.UtcNow < deadline, "Prometheus did not scrape the drift gauges within 30 s");
            await Task.Delay(100, ct);
        }
    }

    /// <summary>Drift gauges as a serving pod exports them (<see cref="MonitoringMetrics"/>), on 127.0.0.1.</summary>
    private static async Task<WebApplication> StartDriftExporterAsync(CancellationToken ct)
    {
        var registry = global::Prometheus.Metrics.NewCustomRegistry();
        var psi = global::Prometheus.Metrics.WithCustomRegistry(registry).CreateGauge(MonitoringMetrics.FeatureDriftPsi, "PSI per feature",
            new GaugeConfiguration { LabelNames = ["namespace", "model", "version", "feature"] });
        psi.WithLabels("ml", Model, "v1", "amount").Set(0.31);
        psi.WithLabels("ml", Model, "v1", "hour").Set(0.04);
        psi.WithLabels("elsewhere", Model, "v1", "amount").Set(0.9);
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        app.MapMetrics("/metrics", registry);
        await app.StartAsync(ct);
        return app;
    }

    private static string ReconcilerHost(WebApplication app) => GitOps.Reconciler.Hosting.ReconcilerHost.BoundAddress(app).Authority;

    public async Task DisposeAsync()
    {
        if (Prometheus is not null)
        {
            await Prometheus.DisposeAsync();
        }
        if (_exporter is not null)
        {
            await _exporter.StopAsync();
            await _exporter.DisposeAsync();
        }
        _folder.Delete(recursive: true);
    }
}

[CollectionDefinition(Name)]
public sealed class ConsoleCollection : ICollectionFixture<ConsoleState>
{
    public const string Name = "web console";
}

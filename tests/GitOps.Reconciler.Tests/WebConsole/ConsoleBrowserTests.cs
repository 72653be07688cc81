using System.Net;
using GitOps.Reconciler.Hosting;
using GitOps.Reconciler.Loop;
using GitOps.Reconciler.Metrics;
using Microsoft.AspNetCore.Builder;
using Microsoft.Playwright;

namespace GitOps.Reconciler.Tests.WebConsole;

/// <summary>
/// The console's pages in a real browser: headless Chromium from Debian's <c>chromium</c> package driven by
/// Playwright, against the reconciler's HTTP host on 127.0.0.1. One browser for the class; each page leaves a
/// screenshot in <c>TestResults/console/</c> of the test output folder.
/// </summary>
[Collection(ConsoleCollection.Name)]
public sealed class ConsoleBrowserTests(ConsoleState state) : IAsyncLifetime
{
    private static readonly string[] Chromium = ["/usr/bin/chromium", "/usr/lib/chromium/chromium"];

    public static string Screenshots => Path.Combine(AppContext.BaseDirectory, "TestResults", "console");

    private WebApplication _host = null!;
    private Uri _address = null!;
    private IPlaywright _playwright = null!;
    private IBrowser _browser = null!;

    public async Task InitializeAsync()
    {
        var executable = Chromium.FirstOrDefault(File.Exists)
                         ?? throw new InvalidOperationException(
                             "the console's browser tests need Debian's chromium package (looked for /usr/bin/chromium and /usr/lib/chromium/chromium): "
                             + "run 'apt-get install -y chromium' (.ci/run installs it).");
        _host = ReconcilerHost.Build(new ReconcilerHostOptions
        {
            Listen = new IPEndPoint(IPAddress.Loopback, 0),
            Branch = "main",
            Console = state.Site(),
        }, new ReconcilerMetrics(includeProcessMetrics: false), new ReconcileTrigger(), new ReconcilerHealth(), new ListLoggerProvider().CreateFactory());
        await _host.StartAsync();
        _address = ReconcilerHost.BoundAddress(_host);
        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = executable, Headless = true });
        Directory.CreateDirectory(Screenshots);
    }

    public async Task DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.CloseAsync();
        }
        _playwright?.Dispose();
        if (_host is not null)
        {
            await _host.StopAsync();
            await _host.DisposeAsync();
        }
    }

    /// <summary>Opens <paramref name="path"/> with the one-time <c>?token=</c> (as a person does), waits until the page
    /// has drawn the API's answers, and fails on any script error or Content-Security-Policy violation.</summary>
    private async Task<IPage> OpenAsync(string path)
    {
        var page = await _browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 900 } });
        var errors = new List<string>();
        page.PageError += (_, error) => errors.Add(error);
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                errors.Add($"{message.Text} ({message.Location})");
            }
        };
        var separator = path.Contains('?', StringComparison.Ordinal) ? '&' : '?';
        await page.GotoAsync(new Uri(_address, $"{path}{separator}token={ConsoleState.Token}").ToString());
        await page.WaitForSelectorAsync("body[data-ready]", new PageWaitForSelectorOptions { Timeout = 20_000 });
        if (await page.GetAttributeAsync("body", "data-ready") != "true")
        {
            Assert.Fail($"the page did not draw: {await page.Locator("#error").InnerTextAsync()}");
        }
        Assert.Empty(errors);
        Assert.DoesNotContain("token=", page.Url, StringComparison.Ordinal);
        return page;
    }

    [Fact]
    public async Task Should_Show_Environments_Models_Rollouts_Charts_And_Drift_When_A_Person_Opens_The_Console()
    {
        // When
        var page = await OpenAsync("/console/");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Screenshots, "overview.png"), FullPage = true });

        // Then: environments and their last outcome
        Assert.Equal(["prod", "dev"], await page.Locator("section.environment h2").EvaluateAllAsync<string[]>("els => els.map(e => e.firstChild.textContent)"));
        var prod = page.Locator("section[data-environment=prod]");
        Assert.Contains("Applied", await prod.Locator("h2").InnerTextAsync(), StringComparison.Ordinal);
        // A message with markup is shown as text, never as markup.
        Assert.Equal(ConsoleState.MarkupMessage, await prod.Locator("h2 + p").InnerTextAsync());
        Assert.Equal(0, await page.Locator("#injected").CountAsync());

        // Models, the version each serves, trained versions, held versions
        var fraud = prod.Locator("table.models tr[data-model=fraud-detector]");
        var cells = await fraud.Locator("td").AllInnerTextsAsync();
        Assert.Equal("fraud-detector", cells[0]);
        Assert.Equal("v1", cells[1]);
        Assert.Equal("v2 at 10%", cells[2]);
        Assert.Equal("v1, v2", cells[3]);
        Assert.Contains("not served: 9a75b5701b77 rejected", await prod.Locator("table.models tr[data-model=churn-scorer]").InnerTextAsync(), StringComparison.Ordinal);

        // The rollout's steps and its analysis measurements drawn as a chart: one point per measurement, the failed one marked
        var rollout = prod.Locator("div.rollout[data-model=fraud-detector]");
        Assert.Equal(["completed", "current", "pending", "pending"], await rollout.Locator("ol.steps li").EvaluateAllAsync<string[]>("els => els.map(e => e.className)"));
        var chart = rollout.Locator("svg.chart[data-metric=error-rate]");
        Assert.Equal(ConsoleState.ErrorRateMeasurements, await chart.Locator("circle").CountAsync());
        Assert.Equal(1, await chart.Locator("circle.failed").CountAsync());
        var points = await chart.Locator("polyline").GetAttributeAsync("points");
        Assert.Equal(ConsoleState.ErrorRateMeasurements, points!.Split(' ').Length);

        // Drift per feature from Prometheus, over its limit marked; and an environment without Prometheus says so
        var drift = prod.Locator("table.drift");
        Assert.Equal(2, await drift.Locator("tbody tr").CountAsync());
        Assert.Equal("over", await drift.Locator("tr[data-feature=amount]").GetAttributeAsync("class"));
        Assert.Contains("0.31", await drift.Locator("tr[data-feature=amount]").InnerTextAsync(), StringComparison.Ordinal);
        Assert.Contains("no Prometheus configured for environment dev",
            await page.Locator("section[data-environment=dev] [data-drift=problem]").InnerTextAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Should_Show_Only_One_Model_When_Its_Link_Is_Followed()
    {
        // Given
        var page = await OpenAsync("/console/");

        // When
        await page.Locator("section[data-environment=prod] table.models a", new PageLocatorOptions { HasText = "fraud-detector" }).ClickAsync();
        await page.WaitForSelectorAsync("body[data-ready=true]");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Screenshots, "model.png"), FullPage = true });

        // Then
        Assert.Contains("env=prod", page.Url, StringComparison.Ordinal);
        Assert.Contains("model=fraud-detector", page.Url, StringComparison.Ordinal);
        Assert.Equal(1, await page.Locator("section.environment").CountAsync());
        Assert.Equal(["fraud-detector"], await page.Locator("table.models tbody tr").EvaluateAllAsync<string[]>("els => els.map(e => e.dataset.model)"));
        Assert.Equal(ConsoleState.ErrorRateMeasurements, await page.Locator("svg.chart circle").CountAsync());
    }
}

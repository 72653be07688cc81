using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Threading.RateLimiting;
using GitOps.Serving.Batching;
using GitOps.Serving.Caching;
using GitOps.Serving.Faults;
using GitOps.Serving.Metrics;
using GitOps.Serving.Model;
using GitOps.Serving.Monitoring;
using GitOps.Serving.Protocol;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.ML.OnnxRuntime;
using Prometheus;

namespace GitOps.Serving.Hosting;

/// <summary>
/// The inference server every serving Deployment runs: Open Inference Protocol v2 over REST on Kestrel,
/// Prometheus metrics on <c>/metrics</c>, readiness after a warm-up run, 429 above the concurrency limit,
/// optional bearer token, and a graceful stop that finishes accepted requests.
/// </summary>
public sealed class InferenceServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly OnnxModel _model;
    private readonly InferenceExecutor _executor;
    private readonly ResponseCache? _cache;
    private readonly ServerOptions _options;
    private readonly ILogger _logger;
    private readonly byte[]? _token;
    private readonly TimeProvider _time;
    // ASP.NET Core's concurrency limiter, with no queue: a request over the limit is answered 429 at once.
    private readonly ConcurrencyLimiter _concurrency;
    // Null unless faults are asked for this server's track.
    private readonly FaultInjector? _faults;
    private volatile bool _ready;
    private int _stopped;

    private InferenceServer(WebApplication app, OnnxModel model, InferenceExecutor executor, InferenceService service,
        ServingMetrics metrics, ServerOptions options, TimeProvider time, ILogger logger, ResponseCache? cache)
    {
        _app = app;
        _cache = cache;
        _model = model;
        _executor = executor;
        Service = service;
        Metrics = metrics;
        _options = options;
        _time = time;
        _logger = logger;
        _token = options.Token is null ? null : SHA256.HashData(Encoding.UTF8.GetBytes(options.Token));
        Identity = new ModelIdentity(options.ModelName, options.ModelVersion, options.Track);
        _faults = options.Faults.AppliesTo(options.Track) ? new FaultInjector(options.Faults) : null;
        _concurrency = new ConcurrencyLimiter(new ConcurrencyLimiterOptions
        {
            PermitLimit = options.MaxConcurrency,
            QueueLimit = 0,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
        });
    }

    public ModelIdentity Identity { get; }
    public ServingMetrics Metrics { get; }
    public InferenceService Service { get; }
    /// <summary>Where the server listens, with the real port when 0 was asked for.</summary>
    public Uri BaseAddress { get; private set; } = null!;
    public bool IsReady => _ready;
    /// <summary>Infer requests accepted and not yet answered.</summary>
    public int InFlightRequests => _options.MaxConcurrency - (int)(_concurrency.GetStatistics()?.CurrentAvailablePermits ?? _options.MaxConcurrency);
    public string ExecutionProvider => _model.ExecutionProvider;

    /// <summary>
    /// Loads the model, starts listening, runs a warm-up inference and then reports ready.
    /// Throws <see cref="ModelLoadException"/> when the model cannot be served, <see cref="IOException"/>
    /// when the address cannot be bound.
    /// </summary>
    public static async Task<InferenceServer> StartAsync(ServerOptions options, Action<ILoggingBuilder>? configureLogging, TimeProvider time, CancellationToken ct)
    {
        var problems = options.Validate();
        if (!problems.IsEmpty)
        {
            throw new ArgumentException(string.Join("; ", problems), nameof(options));
        }
        var address = ParseHost(options.Host);
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.Logging.ClearProviders();
        configureLogging?.Invoke(builder.Logging);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = options.MaxRequestBodyBytes;
            kestrel.Listen(address, options.Port);
        });
        builder.Services.Configure<HostOptions>(h => h.ShutdownTimeout = options.ShutdownTimeout);
        builder.Services.Configure<ConsoleLifetimeOptions>(c => c.SuppressStatusMessages = true);
        var app = builder.Build();
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("GitOps.Serving");

        var model = OnnxModel.Load(options.ModelPath, options.Session, logger);
        ServingMetrics metrics;
        InferenceService service;
        InferenceExecutor executor;
        ResponseCache? cache = null;
        try
        {
            metrics = new ServingMetrics(new ModelIdentity(options.ModelName, options.ModelVersion, options.Track),
                model.ExecutionProvider, options.Session.Threads, options.ScoreBuckets);
            executor = new InferenceExecutor(model, options.Batching, time, metrics.RecordBatch);
            var drift = options.Profile is { } profile
                ? DriftMonitor.Create(profile, model.Inputs, metrics.Registry, [options.ModelName, options.ModelVersion, options.Track], options.DriftWindow)
                : null;
            cache = options.Cache.Enabled
                ? await ResponseCache.OpenAsync(options.Cache, options.ModelPath, options.ModelName, options.ModelVersion, metrics, logger, time, ct)
                : null;
            service = new InferenceService(model, executor, metrics, options.ScoreOutput, drift, cache);
        }
        catch
        {
            model.Dispose();
            if (cache is not null)
            {
                await cache.DisposeAsync();
            }
            throw;
        }
        var server = new InferenceServer(app, model, executor, service, metrics, options, time, logger, cache);
        server.MapEndpoints();
        app.Lifetime.ApplicationStopping.Register(() =>
        {
            // Readiness drops first so load balancers stop sending while accepted requests finish.
            server._ready = false;
            metrics.SetReady(false);
            logger.LogInformation("Stopping: draining {InFlight} in-flight request(s)", server.InFlightRequests);
        });

        try
        {
            await app.StartAsync(ct);
        }
        catch
        {
            await server.DisposeResourcesAsync();
            throw;
        }
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses;
        server.BaseAddress = new Uri(addresses.First().Replace("[::]", "localhost", StringComparison.Ordinal));

        var warmUp = time.GetTimestamp();
        try
        {
            model.Run(model.WarmUpInputs());
        }
        catch (OnnxRuntimeException e)
        {
            await server.StopAsync(CancellationToken.None);
            throw new ModelLoadException($"warm-up inference on one row of zeros failed: {e.Message.Split('\n')[0]}");
        }
        server._ready = true;
        metrics.SetReady(true);
        if (server._faults is not null)
        {
            logger.LogWarning("Fault injection is on: {Faults} (a testing tool; see docs/serving.md)", options.Faults);
        }
        if (options.Profile is null && options.MeasureDrift)
        {
            logger.LogWarning(
                "No training profile for {Model} version {Version} (trained before profiles were written, or profile.json is not beside the model): "
                + "drift and data-quality metrics are not exported; serving is unaffected. Retrain to write one, pass --profile FILE, or --no-drift to silence this",
                options.ModelName, options.ModelVersion);
        }
        logger.LogInformation(
            "Serving {Model} version {Version} ({Track}) on {Address} with {Provider}; warm-up took {WarmUpMs:F1} ms; batching {Batching}; response cache {Cache}",
            options.ModelName, options.ModelVersion, options.Track, server.BaseAddress, model.ExecutionProvider,
            time.GetElapsedTime(warmUp).TotalMilliseconds,
            !executor.Batching ? "off"
                : options.Batching.MaxDelay == TimeSpan.Zero ? $"greedy, up to {options.Batching.MaxBatchSize} rows"
                : $"up to {options.Batching.MaxBatchSize} rows or {options.Batching.MaxDelay.TotalMilliseconds} ms",
            options.Cache.Store switch
            {
                ResponseCacheStore.Memory => $"in memory, up to {options.Cache.MaxBytes / (1024 * 1024)} MiB",
                ResponseCacheStore.Redis => $"in Redis at {RedisResponseCacheStore.Redact(options.Cache.Redis!)}",
                _ => "off",
            });
        return server;
    }

    private static IPAddress ParseHost(string host) => host switch
    {
        "localhost" => IPAddress.Loopback,
        "*" or "0.0.0.0" => IPAddress.Any,
        "::" => IPAddress.IPv6Any,
        _ => IPAddress.TryParse(host, out var ip) ? ip : throw new ArgumentException($"--host must be an IP address (e.g. 127.0.0.1 or 0.0.0.0), found '{host}'"),
    };

    private void MapEndpoints()
    {
        _app.MapGet("/v2/health/live", (HttpContext ctx) => WriteJsonAsync(ctx, 200, j => { j.WriteStartObject(); j.WriteBoolean("live", true); j.WriteEndObject(); }));
        _app.MapGet("/v2/health/ready", (HttpContext ctx) => WriteJsonAsync(ctx, _ready ? 200 : 503, j => { j.WriteStartObject(); j.WriteBoolean("ready", _ready); j.WriteEndObject(); }));
        _app.MapGet("/v2", (HttpContext ctx) => WriteJsonAsync(ctx, 200, j =>
        {
            j.WriteStartObject();
            j.WriteString("name", "gitops-serving");
            j.WriteString("version", typeof(InferenceServer).Assembly.GetName().Version?.ToString(3) ?? "0.0.0");
            j.WriteStartArray("extensions");
            j.WriteEndArray();
            j.WriteEndObject();
        }));
        _app.MapGet("/v2/models/{name}", (HttpContext ctx, string name) => MetadataAsync(ctx, name, null));
        _app.MapGet("/v2/models/{name}/versions/{version}", (HttpContext ctx, string name, string version) => MetadataAsync(ctx, name, version));
        _app.MapGet("/v2/models/{name}/ready", (HttpContext ctx, string name) => ModelReadyAsync(ctx, name, null));
        _app.MapGet("/v2/models/{name}/versions/{version}/ready", (HttpContext ctx, string name, string version) => ModelReadyAsync(ctx, name, version));
        _app.MapPost("/v2/models/{name}/infer", (HttpContext ctx, string name) => InferAsync(ctx, name, null));
        _app.MapPost("/v2/models/{name}/versions/{version}/infer", (HttpContext ctx, string name, string version) => InferAsync(ctx, name, version));
        _app.MapMetrics("/metrics", Metrics.Registry);
    }

    private async Task MetadataAsync(HttpContext ctx, string name, string? version)
    {
        if (await RejectAsync(ctx, name, version))
        {
            return;
        }
        await WriteJsonAsync(ctx, 200, j => InferResponseWriter.WriteMetadata(j, Identity, _model.Inputs, _model.Outputs));
    }

    private async Task ModelReadyAsync(HttpContext ctx, string name, string? version)
    {
        if (await RejectAsync(ctx, name, version))
        {
            return;
        }
        await WriteJsonAsync(ctx, _ready ? 200 : 503, j =>
        {
            j.WriteStartObject();
            j.WriteString("name", Identity.Name);
            j.WriteBoolean("ready", _ready);
            j.WriteEndObject();
        });
    }

    /// <summary>Answers 401/404 for requests that are not authorised or not for this model.</summary>
    private async Task<bool> RejectAsync(HttpContext ctx, string name, string? version)
    {
        if (!Authorized(ctx))
        {
            ctx.Response.Headers.WWWAuthenticate = "Bearer";
            await WriteErrorAsync(ctx, 401, "missing or invalid bearer token; send 'Authorization: Bearer <token>'");
            return true;
        }
        if (name != Identity.Name)
        {
            await WriteErrorAsync(ctx, 404, $"model '{name}' is not served here; this server serves '{Identity.Name}'");
            return true;
        }
        if (version is not null && version != Identity.Version)
        {
            await WriteErrorAsync(ctx, 404, $"version '{version}' of model '{name}' is not served here; this server serves version '{Identity.Version}'");
            return true;
        }
        return false;
    }

    private bool Authorized(HttpContext ctx)
    {
        if (_token is null)
        {
            return true;
        }
        var header = ctx.Request.Headers.Authorization.ToString();
        const string scheme = "Bearer ";
        if (!header.StartsWith(scheme, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }
        // Hashes have one length, so the comparison time says nothing about the token's length or its first bytes.
        return CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(header[scheme.Length..].Trim())), _token);
    }

    private async Task InferAsync(HttpContext ctx, string name, string? version)
    {
        var start = _time.GetTimestamp();
        try
        {
            if (await RejectAsync(ctx, name, version))
            {
                return;
            }
            if (!_ready)
            {
                await WriteErrorAsync(ctx, 503, "the model is not ready (warming up or shutting down); retry shortly");
                return;
            }
            using var permit = _concurrency.AttemptAcquire();
            if (!permit.IsAcquired)
            {
                ctx.Response.Headers.RetryAfter = "1";
                await WriteErrorAsync(ctx, 429, $"too many concurrent requests (limit {_options.MaxConcurrency}); retry shortly");
                return;
            }
            Metrics.RequestStarted();
            try
            {
                await InferAcceptedAsync(ctx);
            }
            catch (OperationCanceledException) when (ctx.RequestAborted.IsCancellationRequested)
            {
                // The client went away; 499 (client closed request) keeps it apart from server errors in the metrics.
                ctx.Response.StatusCode = 499;
            }
            catch (OnnxRuntimeException e)
            {
                _logger.LogError(e, "Inference failed");
                if (!ctx.Response.HasStarted)
                {
                    await WriteErrorAsync(ctx, 500, $"inference failed: {e.Message.Split('\n')[0]}");
                }
            }
            finally
            {
                Metrics.RequestFinished();
            }
        }
        finally
        {
            Metrics.RecordRequest(ctx.Response.StatusCode, _time.GetElapsedTime(start));
        }
    }

    private async Task InferAcceptedAsync(HttpContext ctx)
    {
        if (_faults is not null && await InjectFaultsAsync(ctx))
        {
            return;
        }
        if (ctx.Request.ContentLength > _options.MaxRequestBodyBytes)
        {
            await WriteErrorAsync(ctx, 413, $"request body of {ctx.Request.ContentLength} bytes exceeds the limit of {_options.MaxRequestBodyBytes} bytes; send fewer rows per request");
            return;
        }
        byte[] body;
        try
        {
            using var buffer = new MemoryStream(ctx.Request.ContentLength is { } length ? (int)length : 4096);
            await ctx.Request.Body.CopyToAsync(buffer, ctx.RequestAborted);
            body = buffer.ToArray();
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            await WriteErrorAsync(ctx, 413, $"request body exceeds the limit of {_options.MaxRequestBodyBytes} bytes; send fewer rows per request");
            return;
        }
        var (result, error) = await Service.InferAsync(body, ctx.RequestAborted);
        if (result is null)
        {
            await WriteErrorAsync(ctx, error!.Status, error.Message);
            return;
        }
        await WriteJsonAsync(ctx, 200, j => InferResponseWriter.WriteResult(j, Identity, result));
    }

    /// <summary>Adds the injected latency; answers 500 and returns true when this request is an injected error.</summary>
    private async Task<bool> InjectFaultsAsync(HttpContext ctx)
    {
        if (_faults!.Options.Latency > TimeSpan.Zero)
        {
            Metrics.RecordInjectedFault(ServingMetrics.InjectedLatency);
            await Task.Delay(_faults.Options.Latency, _time, ctx.RequestAborted);
        }
        if (!_faults.NextFails())
        {
            return false;
        }
        Metrics.RecordInjectedFault(ServingMetrics.InjectedError);
        await WriteErrorAsync(ctx, 500, "injected fault: this server answers a share of requests with 500 on purpose (--fault-errors)");
        return true;
    }

    private static Task WriteErrorAsync(HttpContext ctx, int status, string message) =>
        WriteJsonAsync(ctx, status, j => InferResponseWriter.WriteError(j, message));

    private static async Task WriteJsonAsync(HttpContext ctx, int status, Action<Utf8JsonWriter> write)
    {
        ctx.Response.StatusCode = status;
        ctx.Response.ContentType = "application/json";
        using (var json = new Utf8JsonWriter(ctx.Response.BodyWriter))
        {
            write(json);
        }
        await ctx.Response.BodyWriter.FlushAsync(ctx.RequestAborted);
    }

    /// <summary>Completes when the host stops (SIGTERM, Ctrl+C or <see cref="StopAsync"/>).</summary>
    public Task WaitForShutdownAsync(CancellationToken ct) => _app.WaitForShutdownAsync(ct);

    /// <summary>Stops accepting connections, lets accepted requests finish, then releases the model.</summary>
    public async Task StopAsync(CancellationToken ct)
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 1)
        {
            return;
        }
        await _app.StopAsync(ct);
        await DisposeResourcesAsync();
        _logger.LogInformation("Stopped");
    }

    private async Task DisposeResourcesAsync()
    {
        await _concurrency.DisposeAsync();
        await _executor.DisposeAsync();
        if (_cache is not null)
        {
            await _cache.DisposeAsync();
        }
        _model.Dispose();
        await _app.DisposeAsync();
    }

    public async ValueTask DisposeAsync() => await StopAsync(CancellationToken.None);
}

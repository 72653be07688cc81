using System.Buffers;
using System.Net;
using System.Text.Json;
using GitOps.Serving.Batching;
using GitOps.Serving.Caching;
using GitOps.Serving.Metrics;
using GitOps.Serving.Model;
using GitOps.Serving.Monitoring;
using GitOps.Serving.Protocol;
using GitOps.Serving.Protocol.Grpc;
using GitOps.Specs;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.ML.OnnxRuntime;
using Prometheus;

namespace GitOps.Serving.Hosting;

/// <summary>
/// The inference server every serving Deployment runs: Open Inference Protocol v2 over REST on Kestrel, and over
/// gRPC on a port of its own when asked (<see cref="ServerOptions.GrpcPort"/>), Prometheus metrics on <c>/metrics</c>,
/// readiness after a warm-up run, 429 above the concurrency limit, optional bearer token, and a graceful stop that
/// finishes accepted requests. Both protocols go through one <see cref="InferencePipeline"/>.
/// </summary>
public sealed class InferenceServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly OnnxModel _model;
    private readonly InferenceExecutor _executor;
    private readonly ResponseCache? _cache;
    private readonly ServerOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly InferencePipeline _pipeline;
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
        _logger = logger;
        _time = time;
        Identity = new ModelIdentity(options.ModelName, options.ModelVersion, options.Track);
        _pipeline = new InferencePipeline(service, metrics, Identity, options, time, logger);
    }

    public ModelIdentity Identity { get; }
    public ServingMetrics Metrics { get; }
    public InferenceService Service { get; }
    /// <summary>Where the server listens, with the real port when 0 was asked for.</summary>
    public Uri BaseAddress { get; private set; } = null!;
    /// <summary>Where the gRPC endpoint listens (plain-text HTTP/2), with the real port; null when it is off.</summary>
    public Uri? GrpcAddress { get; private set; }
    public bool IsReady => _pipeline.IsReady;
    /// <summary>Infer requests accepted and not yet answered.</summary>
    public int InFlightRequests => _pipeline.InFlightRequests;
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
        // With any log level on, hosting opens a logging scope for every request; its request lines are not wanted
        // (the request metrics count every request), and Kestrel still logs application errors under its own category.
        builder.Logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.None);
        ListenOptions rest = null!;
        ListenOptions? grpc = null;
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = options.MaxRequestBodyBytes;
            kestrel.Listen(address, options.Port, listen => rest = listen);
            if (options.GrpcPort is { } grpcPort)
            {
                // Plain-text gRPC needs HTTP/2 only: offered both without TLS, Kestrel speaks HTTP/1.1 alone.
                kestrel.Listen(address, grpcPort, listen =>
                {
                    listen.Protocols = HttpProtocols.Http2;
                    grpc = listen;
                });
            }
        });
        InferenceServer? created = null;
        if (options.GrpcPort is not null)
        {
            GrpcInferenceEndpoint.AddTo(builder.Services, options.MaxRequestBodyBytes, () => created!._pipeline);
        }
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
        var server = created = new InferenceServer(app, model, executor, service, metrics, options, time, logger, cache);
        server.MapEndpoints();
        app.Lifetime.ApplicationStopping.Register(() =>
        {
            // Readiness drops first so load balancers stop sending while accepted requests finish.
            server._pipeline.IsReady = false;
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
        // Kestrel writes the bound endpoint back into the listen options, with the real port when 0 was asked for.
        server.BaseAddress = Address(rest);
        server.GrpcAddress = grpc is null ? null : Address(grpc);

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
        server._pipeline.IsReady = true;
        if (server._pipeline.InjectsFaults)
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
            "Serving {Model} version {Version} ({Track}) on {Address}{Grpc} with {Provider}; warm-up took {WarmUpMs:F1} ms; batching {Batching}; response cache {Cache}",
            options.ModelName, options.ModelVersion, options.Track, server.BaseAddress,
            server.GrpcAddress is null ? "" : $" and gRPC on {server.GrpcAddress}", model.ExecutionProvider,
            time.GetElapsedTime(warmUp).TotalMilliseconds,
            !executor.Batching ? "off"
                : options.Batching.MaxDelay == TimeSpan.Zero ? $"greedy, up to {options.Batching.MaxBatchSize} rows"
                : $"up to {options.Batching.MaxBatchSize} rows or {Durations.Format(options.Batching.MaxDelay)}",
            options.Cache.Store switch
            {
                ResponseCacheStore.Memory => $"in memory, up to {options.Cache.MaxBytes / (1024 * 1024)} MiB",
                ResponseCacheStore.Redis => $"in Redis at {RedisResponseCacheStore.Redact(options.Cache.Redis!)}",
                _ => "off",
            });
        return server;
    }

    private static Uri Address(ListenOptions listen)
    {
        var endpoint = listen.IPEndPoint!;
        var host = endpoint.Address.Equals(IPAddress.IPv6Any) ? "localhost"
            : endpoint.Address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{endpoint.Address}]"
            : endpoint.Address.ToString();
        return new Uri($"http://{host}:{endpoint.Port}");
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
        // A path or method the protocol does not have gets the same JSON error body as every other refusal. Our own
        // middleware rather than the framework's status code pages, which allocate an items dictionary per request.
        _app.Use(static (ctx, next) =>
        {
            var handled = next(ctx);
            return handled.IsCompletedSuccessfully ? NoEndpointAsync(ctx) : AfterAsync(handled, ctx);

            static async Task AfterAsync(Task handled, HttpContext ctx)
            {
                await handled;
                await NoEndpointAsync(ctx);
            }
        });
        _app.MapGet("/v2/health/live", (HttpContext ctx) => WriteJsonAsync(ctx, 200, j => { j.WriteStartObject(); j.WriteBoolean("live", true); j.WriteEndObject(); }));
        _app.MapGet("/v2/health/ready", (HttpContext ctx) => WriteJsonAsync(ctx, IsReady ? 200 : 503, j => { j.WriteStartObject(); j.WriteBoolean("ready", IsReady); j.WriteEndObject(); }));
        _app.MapGet("/v2", (HttpContext ctx) => WriteJsonAsync(ctx, 200, j =>
        {
            j.WriteStartObject();
            j.WriteString("name", InferResponseWriter.ServerName);
            j.WriteString("version", InferResponseWriter.ServerVersion);
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
        if (_options.GrpcPort is not null)
        {
            GrpcInferenceEndpoint.UseMessageLimits(_app, Metrics, _time);
            _app.MapGrpcService<GrpcInferenceEndpoint>();
        }
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
        var ready = IsReady;
        await WriteJsonAsync(ctx, ready ? 200 : 503, j =>
        {
            j.WriteStartObject();
            j.WriteString("name", Identity.Name);
            j.WriteBoolean("ready", ready);
            j.WriteEndObject();
        });
    }

    /// <summary>Answers 401/404 for requests that are not authorised or not for this model.</summary>
    private async Task<bool> RejectAsync(HttpContext ctx, string name, string? version)
    {
        if (_pipeline.Admit(ctx.Request.Headers.Authorization.ToString(), name, version) is not { } error)
        {
            return false;
        }
        await WriteErrorAsync(ctx, error);
        return true;
    }

    private async Task InferAsync(HttpContext ctx, string name, string? version)
    {
        var call = new InferCall(ServingMetrics.Rest, ctx.Request.Headers.Authorization.ToString(), name, version);
        var outcome = await _pipeline.InferAsync(call, (Server: this, Context: ctx), static (state, ct) => state.Server.ReadRequestAsync(state.Context, ct), ctx.RequestAborted);
        if (outcome.Error is { } error)
        {
            await WriteErrorAsync(ctx, error);
            return;
        }
        await WriteJsonAsync(ctx, 200, (Identity, Result: outcome.Result!), static (j, answer) => InferResponseWriter.WriteResult(j, answer.Identity, answer.Result));
    }

    private async ValueTask<(InferenceRequest? Request, ProtocolError? Error)> ReadRequestAsync(HttpContext ctx, CancellationToken ct)
    {
        if (ctx.Request.ContentLength > _options.MaxRequestBodyBytes)
        {
            return (null, new ProtocolError(413, $"request body of {ctx.Request.ContentLength} bytes exceeds the limit of {_options.MaxRequestBodyBytes} bytes; send fewer rows per request"));
        }
        var body = ctx.Request.BodyReader;
        try
        {
            // Parsed straight from the pipe's buffers once the body is complete: no copy into a stream and an array.
            while (true)
            {
                var read = await body.ReadAsync(ct);
                if (read.IsCompleted)
                {
                    try
                    {
                        return InferRequestParser.Parse(read.Buffer, _model.Inputs, _model.Outputs);
                    }
                    finally
                    {
                        body.AdvanceTo(read.Buffer.End);
                    }
                }
                body.AdvanceTo(read.Buffer.Start, read.Buffer.End);
            }
        }
        catch (Microsoft.AspNetCore.Http.BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return (null, new ProtocolError(413, $"request body exceeds the limit of {_options.MaxRequestBodyBytes} bytes; send fewer rows per request"));
        }
    }

    private static Task WriteErrorAsync(HttpContext ctx, ProtocolError error)
    {
        switch (error.Status)
        {
            case InferencePipeline.ClientClosedRequest:
                // Nobody is left to read an answer.
                ctx.Response.StatusCode = error.Status;
                return Task.CompletedTask;
            case 401:
                ctx.Response.Headers.WWWAuthenticate = "Bearer";
                break;
            case 429:
                ctx.Response.Headers.RetryAfter = "1";
                break;
        }
        return WriteErrorAsync(ctx, error.Status, error.Message);
    }

    private const string Endpoints = "this server answers GET /v2, /v2/health/live, /v2/health/ready, /v2/models/NAME[/versions/VERSION][/ready], "
                                     + "POST /v2/models/NAME[/versions/VERSION]/infer and GET /metrics";

    /// <summary>The JSON error for a 404 or 405 that routing answered with no body (no such path or method).</summary>
    private static Task NoEndpointAsync(HttpContext ctx)
    {
        var response = ctx.Response;
        if (response.HasStarted || response.ContentLength is not null || !string.IsNullOrEmpty(response.ContentType) || IsGrpc(ctx))
        {
            return Task.CompletedTask;
        }
        return response.StatusCode switch
        {
            404 => WriteErrorAsync(ctx, 404, $"no endpoint {ctx.Request.Method} {ctx.Request.Path}; {Endpoints}"),
            405 => WriteErrorAsync(ctx, 405, $"{ctx.Request.Method} is not allowed on {ctx.Request.Path}; {Endpoints}"),
            _ => Task.CompletedTask,
        };
    }

    private static bool IsGrpc(HttpContext ctx) => ctx.Request.ContentType?.StartsWith("application/grpc", StringComparison.Ordinal) == true;

    private static Task WriteErrorAsync(HttpContext ctx, int status, string message) =>
        WriteJsonAsync(ctx, status, j => InferResponseWriter.WriteError(j, message));

    // One JSON writer and buffer per thread: an answer is written and copied out before anything can yield the thread.
    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_answer;
    [ThreadStatic]
    private static Utf8JsonWriter? t_json;

    /// <summary>
    /// Writes the answer with its Content-Length, so that Kestrel sends headers and body in one write when the request
    /// ends. Written straight to the response, with no length, it went out chunked: headers and body at the flush, then
    /// the closing chunk in a second write, which a client waits for.
    /// </summary>
    private static Task WriteJsonAsync(HttpContext ctx, int status, Action<Utf8JsonWriter> write) =>
        WriteJsonAsync(ctx, status, write, static (j, w) => w(j));

    /// <summary><see cref="WriteJsonAsync(HttpContext, int, Action{Utf8JsonWriter})"/> with the writer's state passed in,
    /// so that the answer to every infer request is written by a static lambda and allocates no closure.</summary>
    private static Task WriteJsonAsync<TState>(HttpContext ctx, int status, TState state, Action<Utf8JsonWriter, TState> write)
    {
        var answer = t_answer ??= new ArrayBufferWriter<byte>(1024);
        // Relaxed escaping: quotes and apostrophes in messages stay readable ('model', not \u0027model\u0027); the
        // answers are JSON for clients, never embedded in a web page.
        var json = t_json ??= new Utf8JsonWriter(answer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        answer.ResetWrittenCount();
        json.Reset(answer);
        write(json, state);
        json.Flush();
        ctx.Response.StatusCode = status;
        ctx.Response.ContentType = "application/json";
        ctx.Response.ContentLength = answer.WrittenCount;
        ctx.Response.BodyWriter.Write(answer.WrittenSpan);
        if (answer.Capacity > 64 * 1024)
        {
            // A large answer (many rows) does not keep its buffer on the thread.
            t_answer = null;
            t_json = null;
        }
        return Task.CompletedTask;
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

using System.Security.Cryptography;
using System.Text;
using GitOps.Serving.Faults;
using GitOps.Serving.Metrics;
using GitOps.Serving.Protocol;
using Microsoft.Extensions.Logging;
using Microsoft.ML.OnnxRuntime;

namespace GitOps.Serving.Hosting;

/// <summary>Who asks for what: the protocol, the <c>Authorization</c> value sent, and the model (and version) named.</summary>
public readonly record struct InferCall(string Protocol, string? Authorization, string Model, string? Version);

/// <summary>The answer to an infer call: a result, or an error whose status is the HTTP one (see <see cref="ProtocolError"/>).</summary>
public readonly record struct InferOutcome(InferenceResult? Result, ProtocolError? Error)
{
    public int Status => Error?.Status ?? 200;
}

/// <summary>Reads and checks the request of a call that was let in, in the protocol's own wire format, from
/// <paramref name="state"/> (what the protocol hands over: its request or its HTTP context), so that the reader can be
/// a static lambda and a call allocates no closure.</summary>
public delegate ValueTask<(InferenceRequest? Request, ProtocolError? Error)> InferRequestReader<in TState>(TState state, CancellationToken ct);

/// <summary>
/// The one path every infer call takes, whatever its protocol (REST or gRPC): bearer token, model and version,
/// readiness, the concurrency limit, injected faults, reading the request, the core (<see cref="InferenceService"/>)
/// and the request metrics. The protocols only translate their wire format to and from it, so they cannot drift
/// apart on auth, limits or what is counted.
/// </summary>
public sealed class InferencePipeline
{
    public const int ClientClosedRequest = 499;

    private readonly ServingMetrics _metrics;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly byte[]? _token;
    private readonly int _maxConcurrency;
    // Requests let in and not yet answered. No queue: a request over the limit is refused at once. A counter, not a
    // limiter's lease object, so that letting a request in allocates nothing.
    private int _inFlight;
    // Null unless faults are asked for this server's track.
    private readonly FaultInjector? _faults;
    private volatile bool _ready;

    public InferencePipeline(InferenceService service, ServingMetrics metrics, ModelIdentity identity, ServerOptions options, TimeProvider time, ILogger logger)
    {
        Service = service;
        Identity = identity;
        _metrics = metrics;
        _time = time;
        _logger = logger;
        _token = options.Token is null ? null : SHA256.HashData(Encoding.UTF8.GetBytes(options.Token));
        _maxConcurrency = options.MaxConcurrency;
        _faults = options.Faults.AppliesTo(options.Track) ? new FaultInjector(options.Faults) : null;
    }

    public InferenceService Service { get; }
    public ModelIdentity Identity { get; }
    public bool InjectsFaults => _faults is not null;

    /// <summary>Warmed up and not stopping; set by the server.</summary>
    public bool IsReady
    {
        get => _ready;
        set
        {
            _ready = value;
            _metrics.SetReady(value);
        }
    }

    /// <summary>Infer requests accepted and not yet answered.</summary>
    public int InFlightRequests => Volatile.Read(ref _inFlight);

    /// <summary>401 when the token is missing or wrong, 404 when the model or version is not the one served; else null.</summary>
    public ProtocolError? Admit(string? authorization, string model, string? version)
    {
        if (!Authorized(authorization))
        {
            return new ProtocolError(401, "missing or invalid bearer token; send 'Authorization: Bearer <token>'");
        }
        if (model != Identity.Name)
        {
            return new ProtocolError(404, $"model '{model}' is not served here; this server serves '{Identity.Name}'");
        }
        if (version is not null && version != Identity.Version)
        {
            return new ProtocolError(404, $"version '{version}' of model '{model}' is not served here; this server serves version '{Identity.Version}'");
        }
        return null;
    }

    private bool Authorized(string? authorization)
    {
        if (_token is null)
        {
            return true;
        }
        const string scheme = "Bearer ";
        if (authorization is null || !authorization.StartsWith(scheme, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }
        // Hashes have one length, so the comparison time says nothing about the token's length or its first bytes.
        return CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(authorization[scheme.Length..].Trim())), _token);
    }

    /// <summary>Runs one infer call and counts it in the request metrics under its protocol and status.</summary>
    public async ValueTask<InferOutcome> InferAsync<TState>(InferCall call, TState state, InferRequestReader<TState> read, CancellationToken ct)
    {
        var start = _time.GetTimestamp();
        var outcome = new InferOutcome(null, new ProtocolError(500, "the request was not answered"));
        try
        {
            outcome = await RunAsync(call, state, read, ct);
            return outcome;
        }
        finally
        {
            _metrics.RecordRequest(call.Protocol, outcome.Status, _time.GetElapsedTime(start));
        }
    }

    private async ValueTask<InferOutcome> RunAsync<TState>(InferCall call, TState state, InferRequestReader<TState> read, CancellationToken ct)
    {
        if (Admit(call.Authorization, call.Model, call.Version) is { } refused)
        {
            return Refuse(refused);
        }
        if (!_ready)
        {
            return Refuse(new ProtocolError(503, "the model is not ready (warming up or shutting down); retry shortly"));
        }
        if (Interlocked.Increment(ref _inFlight) > _maxConcurrency)
        {
            Interlocked.Decrement(ref _inFlight);
            return Refuse(new ProtocolError(429, $"too many concurrent requests (limit {_maxConcurrency}); retry shortly"));
        }
        _metrics.RequestStarted();
        try
        {
            if (_faults is not null && await InjectFaultsAsync(ct) is { } injected)
            {
                return Refuse(injected);
            }
            var (request, error) = await read(state, ct);
            if (request is null)
            {
                return Refuse(error!);
            }
            return new InferOutcome(await Service.InferAsync(request, ct), null);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // The client went away; 499 (client closed request) keeps it apart from server errors in the metrics.
            return Refuse(new ProtocolError(ClientClosedRequest, "the client cancelled the request"));
        }
        catch (OnnxRuntimeException e)
        {
            _logger.LogError(e, "Inference failed");
            return Refuse(new ProtocolError(500, $"inference failed: {e.Message.Split('\n')[0]}"));
        }
        finally
        {
            _metrics.RequestFinished();
            Interlocked.Decrement(ref _inFlight);
        }
    }

    /// <summary>Adds the injected latency; returns the injected error when this request is to fail.</summary>
    private async Task<ProtocolError?> InjectFaultsAsync(CancellationToken ct)
    {
        if (_faults!.Options.Latency > TimeSpan.Zero)
        {
            _metrics.RecordInjectedFault(ServingMetrics.InjectedLatency);
            await Task.Delay(_faults.Options.Latency, _time, ct);
        }
        if (!_faults.NextFails())
        {
            return null;
        }
        _metrics.RecordInjectedFault(ServingMetrics.InjectedError);
        return new ProtocolError(500, "injected fault: this server answers a share of requests with 500 on purpose (--fault-errors)");
    }

    private static InferOutcome Refuse(ProtocolError error) => new(null, error);
}

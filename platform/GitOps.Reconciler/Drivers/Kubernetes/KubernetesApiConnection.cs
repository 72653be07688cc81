using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using GitOps.Planning.Cluster;
using GitOps.Specs;
using k8s;

namespace GitOps.Reconciler.Drivers.Kubernetes;

/// <summary>An API server answer: status code and the JSON body (null when the body was not JSON, or when a successful
/// body was kept as its bytes: <see cref="Utf8"/>).</summary>
public sealed record KubernetesResponse(int StatusCode, JsonObject? Body, string RawText)
{
    public bool IsSuccess => StatusCode is >= 200 and < 300;

    /// <summary>A successful answer's body as it came, when it was asked for so
    /// (<see cref="KubernetesApiConnection.SendForBytesAsync"/>): valid until the next read into the same
    /// <see cref="ResponseBuffer"/>; null otherwise.</summary>
    public ReadOnlyMemory<byte>? Utf8 { get; init; }
}

/// <summary>
/// Raw JSON access to the Kubernetes REST API with the authentication KubernetesClient builds from a kubeconfig or
/// the in-cluster service account (client certificates, bearer tokens, token files, exec plugins), plus bounded,
/// cancellable retries. Raw paths let one code path serve every kind, including CRDs such as HTTPRoute.
/// </summary>
public sealed class KubernetesApiConnection : IDisposable
{
    private readonly HttpClient _http;
    private readonly Func<HttpRequestMessage, CancellationToken, Task> _authorize;
    private readonly string _baseUri;
    private readonly IDisposable? _owner;

    public KubernetesApiConnection(
        HttpClient http,
        Uri baseUri,
        Func<HttpRequestMessage, CancellationToken, Task>? authorize = null,
        RetryPolicy? retry = null,
        TimeProvider? timeProvider = null,
        string defaultNamespace = "default",
        IDisposable? owner = null)
    {
        _http = http;
        _baseUri = baseUri.ToString().TrimEnd('/');
        _authorize = authorize ?? ((_, _) => Task.CompletedTask);
        Retry = retry ?? RetryPolicy.Default;
        Time = timeProvider ?? TimeProvider.System;
        DefaultNamespace = defaultNamespace;
        _owner = owner;
    }

    public RetryPolicy Retry { get; }

    /// <summary>Answers that asked this connection to slow down (<see cref="RetryPolicy.IsThrottled"/>), since it was made.</summary>
    public long ThrottledAnswers => Interlocked.Read(ref _throttledAnswers);

    private long _throttledAnswers;

    public TimeProvider Time { get; }

    /// <summary>The namespace of the kubeconfig context, or of the service account when in the cluster.</summary>
    public string DefaultNamespace { get; }

    /// <summary>Connects with a kubeconfig file (null: the <c>$KUBECONFIG</c> list or <c>~/.kube/config</c>, see
    /// <see cref="KubeconfigFiles"/>) and context (null: current).</summary>
    public static KubernetesApiConnection FromKubeconfig(string? kubeconfigPath, string? context, RetryPolicy? retry = null, TimeProvider? timeProvider = null)
    {
        var config = KubeconfigFiles.Load(kubeconfigPath, context, Environment.GetEnvironmentVariable);
        return FromConfiguration(config, retry, timeProvider);
    }

    /// <summary>Connects with the pod's service account (token, CA and namespace mounted by Kubernetes).</summary>
    public static KubernetesApiConnection InCluster(RetryPolicy? retry = null, TimeProvider? timeProvider = null) =>
        FromConfiguration(KubernetesClientConfiguration.InClusterConfig(), retry, timeProvider);

    public static KubernetesApiConnection FromConfiguration(KubernetesClientConfiguration config, RetryPolicy? retry = null, TimeProvider? timeProvider = null)
    {
        // Watches stay open for minutes; each ordinary request gets its own timeout from the retry policy instead.
        var (http, baseUri, authorize) = ClusterTransport.Create(config);
        return new KubernetesApiConnection(
            http,
            baseUri,
            authorize,
            retry,
            timeProvider,
            string.IsNullOrEmpty(config.Namespace) ? "default" : config.Namespace,
            http);
    }

    /// <summary>Sends one request, retrying transient failures. Any final HTTP answer is returned, not thrown; only
    /// exhausting the retries on transport faults throws (<see cref="KubernetesApiException"/> with status 0).</summary>
    public Task<KubernetesResponse> SendAsync(HttpMethod method, string pathAndQuery, JsonNode? body, string? contentType, CancellationToken ct) =>
        SendAsync(method, pathAndQuery, body, contentType, null, ct);

    /// <summary>A GET like <see cref="SendAsync(HttpMethod, string, JsonNode?, string?, CancellationToken)"/>, except
    /// that a successful answer's body is kept as its bytes (<see cref="KubernetesResponse.Utf8"/>) and not parsed: a
    /// list page is read item by item by the caller. A failed answer is parsed as always.</summary>
    public Task<KubernetesResponse> SendForBytesAsync(string pathAndQuery, ResponseBuffer buffer, CancellationToken ct) =>
        SendAsync(HttpMethod.Get, pathAndQuery, null, null, buffer, ct);

    /// <param name="bytesInto">Where a successful answer's body is read as bytes; null to parse it.</param>
    private async Task<KubernetesResponse> SendAsync(HttpMethod method, string pathAndQuery, JsonNode? body, string? contentType,
        ResponseBuffer? bytesInto, CancellationToken ct)
    {
        var payload = body?.ToJsonString();
        var throttles = 0;
        var throttledSince = 0L;
        for (var attempt = 1; ; attempt++)
        {
            TimeSpan? retryAfter = null;
            KubernetesResponse? transientAnswer = null;
            Exception? fault = null;
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(Retry.RequestTimeout);
            try
            {
                using var request = await CreateRequestAsync(method, pathAndQuery, payload, contentType, timeout.Token);
                // A body kept as bytes is read from the stream into the caller's buffer, not buffered by the client first.
                using var response = await _http.SendAsync(request,
                    bytesInto is null ? HttpCompletionOption.ResponseContentRead : HttpCompletionOption.ResponseHeadersRead, timeout.Token);
                var answer = await ReadAnswerAsync(response, bytesInto, timeout.Token);
                if (!RetryPolicy.IsTransient(answer.StatusCode))
                {
                    return answer;
                }
                retryAfter = RetryAfter(response);
                if (RetryPolicy.IsThrottled(answer.StatusCode, answer.Body?["reason"]?.GetValue<string>()))
                {
                    Interlocked.Increment(ref _throttledAnswers);
                    throttledSince = throttles++ == 0 ? Time.GetTimestamp() : throttledSince;
                    if (Time.GetElapsedTime(throttledSince) < Retry.ThrottleBudget)
                    {
                        // Slowing down is what the server asked for, not a failure: the attempt is not counted.
                        attempt--;
                        await Task.Delay(Retry.ThrottleDelay(throttles, retryAfter), Time, ct);
                        continue;
                    }
                }
                transientAnswer = answer;
            }
            catch (OperationCanceledException e) when (!ct.IsCancellationRequested)
            {
                fault = new TimeoutException($"{method} {pathAndQuery} got no answer within {Durations.Format(Retry.RequestTimeout)}", e);
            }
            catch (HttpRequestException e)
            {
                fault = e;
            }
            if (attempt >= Retry.MaxAttempts)
            {
                if (transientAnswer is not null)
                {
                    return transientAnswer;
                }
                throw new KubernetesApiException(
                    $"{method} {pathAndQuery} failed after {attempt} attempts: {fault!.Message}", 0, null, null, fault);
            }
            await Task.Delay(Retry.DelayBefore(attempt, retryAfter), Time, ct);
        }
    }

    /// <summary>The server's <c>Retry-After</c>, given in seconds (what the API server sends) or as a date.</summary>
    private TimeSpan? RetryAfter(HttpResponseMessage response) =>
        response.Headers.RetryAfter is not { } header ? null
        : header.Delta ?? (header.Date is { } date ? date - Time.GetUtcNow() : null);

    /// <summary>Opens a watch and yields each event object (<c>{"type":..., "object":...}</c>) until the server
    /// ends the stream. Opening is retried like any request; a non-success answer throws. <paramref name="opened"/> is
    /// called once the server accepted the watch, before its first event.</summary>
    public async IAsyncEnumerable<JsonObject> WatchAsync(string pathAndQuery, Action? opened, [EnumeratorCancellation] CancellationToken ct)
    {
        HttpResponseMessage response;
        for (var attempt = 1; ; attempt++)
        {
            TimeSpan? retryAfter = null;
            try
            {
                using var request = await CreateRequestAsync(HttpMethod.Get, pathAndQuery, null, null, ct);
                var candidate = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
                if (candidate.IsSuccessStatusCode)
                {
                    response = candidate;
                    opened?.Invoke();
                    break;
                }
                var text = await candidate.Content.ReadAsStringAsync(ct);
                var answer = new KubernetesResponse((int)candidate.StatusCode, TryParse(text), text);
                retryAfter = candidate.Headers.RetryAfter?.Delta;
                candidate.Dispose();
                if (!RetryPolicy.IsTransient(answer.StatusCode) || attempt >= Retry.MaxAttempts)
                {
                    throw KubernetesApiException.From($"watch {pathAndQuery}", answer);
                }
            }
            catch (HttpRequestException e) when (attempt >= Retry.MaxAttempts)
            {
                throw new KubernetesApiException($"watch {pathAndQuery} failed after {attempt} attempts: {e.Message}", 0, null, null, e);
            }
            catch (HttpRequestException)
            {
                // Retried below after the backoff.
            }
            await Task.Delay(Retry.DelayBefore(attempt, retryAfter), Time, ct);
        }

        using (response)
        {
            await using var stream = await response.Content.ReadAsStreamAsync(ct);
            using var reader = new StreamReader(stream, Encoding.UTF8);
            while (true)
            {
                string? line;
                try
                {
                    line = await reader.ReadLineAsync(ct);
                }
                catch (IOException) when (!ct.IsCancellationRequested)
                {
                    // The connection dropped mid-stream; the caller resumes from the last resourceVersion it saw.
                    yield break;
                }
                if (line is null)
                {
                    yield break;
                }
                if (line.Length > 0 && TryParse(line) is { } e)
                {
                    yield return e;
                }
            }
        }
    }

    private async Task<HttpRequestMessage> CreateRequestAsync(HttpMethod method, string pathAndQuery, string? payload, string? contentType, CancellationToken ct)
    {
        var request = new HttpRequestMessage(method, _baseUri + "/" + pathAndQuery.TrimStart('/'));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        request.Headers.UserAgent.Add(new ProductInfoHeaderValue("gitops", "1.0"));
        if (payload is not null)
        {
            request.Content = new StringContent(payload, Encoding.UTF8);
            request.Content.Headers.ContentType = new MediaTypeHeaderValue(contentType ?? "application/json");
        }
        await _authorize(request, ct);
        return request;
    }

    /// <summary>Parses the body from its bytes: a list of thousands of objects is never held as a string too. The text
    /// is kept only where a message may quote it (a failure, or a body that is not a JSON object).</summary>
    private static async Task<KubernetesResponse> ReadAnswerAsync(HttpResponseMessage response, ResponseBuffer? bytesInto, CancellationToken ct)
    {
        var status = (int)response.StatusCode;
        if (bytesInto is not null && status is >= 200 and < 300)
        {
            return new KubernetesResponse(status, null, "") { Utf8 = await bytesInto.ReadAsync(response.Content, ct) };
        }
        var bytes = await response.Content.ReadAsByteArrayAsync(ct);
        var body = TryParse(bytes);
        var text = body is not null && status is >= 200 and < 300 ? "" : Encoding.UTF8.GetString(bytes);
        return new KubernetesResponse(status, body, text);
    }

    private static JsonObject? TryParse(byte[] utf8)
    {
        try
        {
            return DetachedJson.Parse(utf8) as JsonObject;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static JsonObject? TryParse(string text)
    {
        try
        {
            return DetachedJson.Parse(text) as JsonObject;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    public void Dispose() => _owner?.Dispose();
}

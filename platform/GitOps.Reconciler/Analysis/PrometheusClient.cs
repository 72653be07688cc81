using System.Collections.Immutable;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using GitOps.Rollouts.Analysis;
using GitOps.Specs;

namespace GitOps.Reconciler.Analysis;

/// <summary>
/// <see cref="IMetricsQuery"/> over Prometheus's HTTP API (<c>/api/v1/query</c>, <c>/api/v1/query_range</c>).
/// An instant query must give one number: a scalar, or a vector of exactly one series; an empty vector is no data;
/// a matrix, a string or several series is an error that names the problem. <c>NaN</c>, <c>+Inf</c> and
/// <c>-Inf</c> are passed on as values.
/// </summary>
public sealed class PrometheusClient(HttpClient http, PrometheusOptions options) : IMetricsQuery
{
    /// <summary>An <see cref="HttpClient"/> for <paramref name="options"/>: TLS trust and no client-side timeout of its own (each query has one).</summary>
    public static HttpClient CreateHttpClient(PrometheusOptions options)
    {
        var handler = new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) };
        if (options.InsecureSkipTlsVerify)
        {
            handler.SslOptions.RemoteCertificateValidationCallback = (_, _, _, _) => true;
        }
        else if (options.CaCertificateFile is { } file)
        {
            var authority = X509Certificate2.CreateFromPemFile(file);
            handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
                errors == SslPolicyErrors.None || (certificate is not null && ChainsTo(certificate, authority));
        }
        return new HttpClient(handler) { Timeout = System.Threading.Timeout.InfiniteTimeSpan };
    }

    /// <summary>A client of the Prometheus at <paramref name="url"/> with the default options (what a pass uses for an
    /// environment's <c>spec.prometheus.url</c>).</summary>
    public static IMetricsQuery For(Uri url)
    {
        var options = new PrometheusOptions { BaseUrl = url };
        return new PrometheusClient(CreateHttpClient(options), options);
    }

    public async Task<Observation> QueryAsync(string query, DateTimeOffset at, CancellationToken cancellationToken)
    {
        var form = new Dictionary<string, string>
        {
            ["query"] = query,
            ["time"] = Seconds(at),
        };
        var (data, error) = await PostAsync("api/v1/query", form, cancellationToken);
        if (error is not null)
        {
            return Observation.Failed(query, error);
        }
        var type = data.GetProperty("resultType").GetString();
        var result = data.GetProperty("result");
        switch (type)
        {
            case "scalar":
                return Observation.Of(query, Value(result[1]));
            case "vector":
                var count = result.GetArrayLength();
                return count switch
                {
                    0 => Observation.NoData(query),
                    1 => Observation.Of(query, Value(result[0].GetProperty("value")[1])),
                    _ => Observation.Failed(query, $"the query returned {count} series ({Labels(result)}); an analysis query must return one number: aggregate it, e.g. with sum(...)"),
                };
            case "matrix":
                return Observation.Failed(query, "the query returned a range vector (matrix); an analysis query must return one number: wrap the range selector in a function such as rate(...) or avg_over_time(...)");
            default:
                return Observation.Failed(query, $"the query returned a {type}; an analysis query must return one number");
        }
    }

    /// <summary>Every series of an instant query with its labels (for tables such as drift per feature, not for analysis).</summary>
    public async Task<VectorAnswer> QueryVectorAsync(string query, DateTimeOffset at, CancellationToken cancellationToken)
    {
        var form = new Dictionary<string, string>
        {
            ["query"] = query,
            ["time"] = Seconds(at),
        };
        var (data, error) = await PostAsync("api/v1/query", form, cancellationToken);
        if (error is not null)
        {
            return VectorAnswer.Failed(query, error);
        }
        var type = data.GetProperty("resultType").GetString();
        if (type != "vector")
        {
            return VectorAnswer.Failed(query, $"the query returned a {type}, not an instant vector");
        }
        var series = ImmutableArray.CreateBuilder<LabeledSample>();
        foreach (var item in data.GetProperty("result").EnumerateArray())
        {
            var labels = item.GetProperty("metric").EnumerateObject()
                .ToImmutableSortedDictionary(p => p.Name, p => p.Value.GetString() ?? "", StringComparer.Ordinal);
            series.Add(new LabeledSample(labels, Value(item.GetProperty("value")[1])));
        }
        return new VectorAnswer(query, series.ToImmutable(), null);
    }

    public async Task<RangeAnswer> QueryRangeAsync(string query, DateTimeOffset from, DateTimeOffset to, TimeSpan step, CancellationToken cancellationToken)
    {
        var form = new Dictionary<string, string>
        {
            ["query"] = query,
            ["start"] = Seconds(from),
            ["end"] = Seconds(to),
            ["step"] = step.TotalSeconds.ToString(CultureInfo.InvariantCulture),
        };
        var (data, error) = await PostAsync("api/v1/query_range", form, cancellationToken);
        if (error is not null)
        {
            return RangeAnswer.Failed(query, error);
        }
        var type = data.GetProperty("resultType").GetString();
        var result = data.GetProperty("result");
        if (type != "matrix")
        {
            return RangeAnswer.Failed(query, $"the range query returned a {type}, not a matrix");
        }
        var count = result.GetArrayLength();
        if (count == 0)
        {
            return new RangeAnswer(query, [], null);
        }
        if (count > 1)
        {
            return RangeAnswer.Failed(query, $"the query returned {count} series ({Labels(result)}); an analysis query must return one number: aggregate it, e.g. with sum(...)");
        }
        var points = ImmutableArray.CreateBuilder<MetricPoint>();
        foreach (var pair in result[0].GetProperty("values").EnumerateArray())
        {
            points.Add(new MetricPoint(Time(pair[0]), Value(pair[1])));
        }
        return new RangeAnswer(query, points.ToImmutable(), null);
    }

    /// <summary>Posts a form and returns the <c>data</c> member of a successful answer, or what went wrong.</summary>
    private async Task<(JsonElement Data, string? Error)> PostAsync(string path, Dictionary<string, string> form, CancellationToken cancellationToken)
    {
        form["timeout"] = $"{Math.Max(1, (int)options.Timeout.TotalSeconds)}s";
        var url = new Uri(options.BaseUrl.ToString().TrimEnd('/') + "/" + path);
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new FormUrlEncodedContent(form) };
        if (options.Authorization is { } authorization)
        {
            request.Headers.TryAddWithoutValidation("Authorization", authorization);
        }
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.Timeout);
        try
        {
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseContentRead, timeout.Token);
            var body = await response.Content.ReadAsStringAsync(timeout.Token);
            JsonDocument document;
            try
            {
                document = JsonDocument.Parse(body);
            }
            catch (JsonException)
            {
                return (default, $"Prometheus at {options.BaseUrl} answered HTTP {(int)response.StatusCode} with a body that is not JSON{Excerpt(body)}");
            }
            using (document)
            {
                var root = document.RootElement;
                var status = root.TryGetProperty("status", out var s) ? s.GetString() : null;
                if (status != "success" || !response.IsSuccessStatusCode)
                {
                    var type = root.TryGetProperty("errorType", out var t) ? t.GetString() : null;
                    var message = root.TryGetProperty("error", out var e) ? e.GetString() : null;
                    return (default, $"Prometheus answered HTTP {(int)response.StatusCode}{(type is null ? "" : $" ({type})")}: {message ?? "no error message"}");
                }
                if (!root.TryGetProperty("data", out var data) || !data.TryGetProperty("resultType", out _) || !data.TryGetProperty("result", out _))
                {
                    return (default, "Prometheus answered without data.resultType and data.result");
                }
                return (data.Clone(), null);
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return (default, $"Prometheus at {options.BaseUrl} did not answer within {Durations.Format(options.Timeout)}");
        }
        catch (HttpRequestException e)
        {
            return (default, $"cannot reach Prometheus at {options.BaseUrl}: {e.Message}");
        }
    }

    /// <summary>A sample value: a JSON string such as <c>"0.25"</c>, <c>"NaN"</c>, <c>"+Inf"</c> or <c>"-Inf"</c>.</summary>
    internal static double Value(JsonElement element)
    {
        var text = element.ValueKind == JsonValueKind.String ? element.GetString() : element.GetRawText();
        return text switch
        {
            "NaN" => double.NaN,
            "+Inf" or "Inf" => double.PositiveInfinity,
            "-Inf" => double.NegativeInfinity,
            _ => double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : double.NaN,
        };
    }

    private static DateTimeOffset Time(JsonElement element) =>
        DateTimeOffset.FromUnixTimeMilliseconds((long)Math.Round(element.GetDouble() * 1000));

    private static string Seconds(DateTimeOffset at) =>
        (at.ToUnixTimeMilliseconds() / 1000.0).ToString("0.###", CultureInfo.InvariantCulture);

    private static string Labels(JsonElement result) =>
        string.Join("; ", result.EnumerateArray().Take(3).Select(series =>
            "{" + string.Join(",", series.GetProperty("metric").EnumerateObject().Select(p => $"{p.Name}=\"{p.Value.GetString()}\"")) + "}"))
        + (result.GetArrayLength() > 3 ? "; ..." : "");

    private static string Excerpt(string body)
    {
        var trimmed = body.Trim();
        return trimmed.Length == 0 ? "" : $": {(trimmed.Length > 120 ? trimmed[..120] + "…" : trimmed)}";
    }

    private static bool ChainsTo(X509Certificate certificate, X509Certificate2 authority)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(authority);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        using var leaf = new X509Certificate2(certificate);
        return chain.Build(leaf);
    }
}

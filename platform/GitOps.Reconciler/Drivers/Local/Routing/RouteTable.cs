using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json.Nodes;
using Yarp.ReverseProxy.Configuration;

namespace GitOps.Reconciler.Drivers.Local.Routing;

/// <summary>A model reachable through the proxy: its route and how many servers stand behind it.</summary>
public sealed record ModelRoute(string Namespace, string Model, string Path, int Destinations, ImmutableArray<string> Backends);

/// <summary>The proxy configuration for a set of rendered objects and the servers that are ready.</summary>
public sealed record RouteTable(ImmutableArray<RouteConfig> Routes, ImmutableArray<ClusterConfig> Clusters, ImmutableArray<ModelRoute> Models)
{
    public const string MirrorKey = "mirror";
    public const string MirrorPercentKey = "mirror-percent";

    /// <summary>
    /// Translates each <c>HTTPRoute</c> rule into YARP routes (one per match: path prefix or exact path, exact header
    /// matches first) and one cluster whose destinations are the ready servers selected by each backend Service,
    /// weighted so each backend's share is its <c>weight</c> whatever its number of servers. A
    /// <c>RequestMirror</c> filter sends a copy of its <c>percent</c> of the requests to the mirrored Service's servers.
    /// </summary>
    public static RouteTable Build(IReadOnlyList<JsonObject> objects, IReadOnlyList<ServingEndpoint> endpoints)
    {
        var services = objects.Where(o => Kind(o) == "Service").ToDictionary(o => (Ns(o), Name(o)));
        var routes = ImmutableArray.CreateBuilder<RouteConfig>();
        var clusters = ImmutableArray.CreateBuilder<ClusterConfig>();
        var models = ImmutableArray.CreateBuilder<ModelRoute>();
        foreach (var route in objects.Where(o => Kind(o) == "HTTPRoute").OrderBy(o => (Ns(o), Name(o))))
        {
            var ns = Ns(route);
            var model = route["metadata"]?["labels"]?[Planning.Cluster.ManagedLabels.Model]?.GetValue<string>() ?? Name(route);
            var rules = (route["spec"]?["rules"] as JsonArray ?? []).OfType<JsonObject>().ToList();
            for (var r = 0; r < rules.Count; r++)
            {
                var rule = rules[r];
                var clusterId = $"{ns}/{Name(route)}/{r}";
                var destinations = new Dictionary<string, DestinationConfig>(StringComparer.Ordinal);
                var backends = ImmutableArray.CreateBuilder<string>();
                foreach (var backend in (rule["backendRefs"] as JsonArray ?? []).OfType<JsonObject>())
                {
                    var service = backend["name"]?.GetValue<string>() ?? "";
                    var weight = backend["weight"] is JsonValue w && w.TryGetValue<int>(out var n) ? n : 1;
                    var servers = Select(services.GetValueOrDefault((ns, service)), endpoints);
                    backends.Add($"{service}={weight}");
                    foreach (var server in servers)
                    {
                        destinations[$"{service}/{server.Pid}"] = new DestinationConfig
                        {
                            Address = $"http://127.0.0.1:{server.Port}",
                            Metadata = new Dictionary<string, string>
                            {
                                [WeightedLoadBalancingPolicy.WeightKey] = (weight / (double)servers.Count).ToString("R", CultureInfo.InvariantCulture),
                            },
                        };
                    }
                }
                clusters.Add(new ClusterConfig
                {
                    ClusterId = clusterId,
                    LoadBalancingPolicy = WeightedLoadBalancingPolicy.PolicyName,
                    Destinations = destinations,
                });
                Dictionary<string, string>? metadata = null;
                foreach (var filter in (rule["filters"] as JsonArray ?? []).OfType<JsonObject>())
                {
                    if (filter["type"]?.GetValue<string>() == "RequestMirror"
                        && filter["requestMirror"]?["backendRef"]?["name"]?.GetValue<string>() is { } mirrored)
                    {
                        var targets = Select(services.GetValueOrDefault((ns, mirrored)), endpoints).Select(e => $"http://127.0.0.1:{e.Port}");
                        metadata = new Dictionary<string, string>
                        {
                            [MirrorKey] = string.Join(' ', targets),
                            [MirrorPercentKey] = MirrorPercent(filter["requestMirror"]!.AsObject()).ToString("R", CultureInfo.InvariantCulture),
                        };
                    }
                }
                var matches = (rule["matches"] as JsonArray ?? []).OfType<JsonObject>().ToList();
                if (matches.Count == 0)
                {
                    matches.Add(new JsonObject { ["path"] = new JsonObject { ["type"] = "PathPrefix", ["value"] = "/" } });
                }
                for (var m = 0; m < matches.Count; m++)
                {
                    var match = matches[m];
                    var type = match["path"]?["type"]?.GetValue<string>() ?? "PathPrefix";
                    var value = match["path"]?["value"]?.GetValue<string>() ?? "/";
                    var headers = (match["headers"] as JsonArray ?? []).OfType<JsonObject>()
                        .Select(h => new RouteHeader
                        {
                            Name = h["name"]?.GetValue<string>() ?? "",
                            Values = [h["value"]?.GetValue<string>() ?? ""],
                            Mode = HeaderMatchMode.ExactHeader,
                        })
                        .ToList();
                    routes.Add(new RouteConfig
                    {
                        RouteId = $"{clusterId}/{m}",
                        ClusterId = clusterId,
                        // Header matches are more specific than the plain path: Gateway API gives them precedence.
                        Order = headers.Count > 0 ? 0 : 10,
                        Match = new RouteMatch
                        {
                            Path = type == "Exact" ? value : value.TrimEnd('/') + "/{**rest}",
                            Headers = headers.Count > 0 ? headers : null,
                        },
                        Metadata = metadata,
                    });
                    if (headers.Count == 0 && type == "PathPrefix")
                    {
                        models.Add(new ModelRoute(ns, model, value, destinations.Count, backends.ToImmutable()));
                    }
                }
            }
        }
        return new RouteTable(routes.ToImmutable(), clusters.ToImmutable(), models.ToImmutable());
    }

    /// <summary>The share of requests a <c>RequestMirror</c> copies, in percent: its <c>percent</c>, else its
    /// <c>fraction</c> (<c>numerator</c> / <c>denominator</c>, default 100), else all of them, as Gateway API says.</summary>
    private static double MirrorPercent(JsonObject mirror)
    {
        if (mirror["percent"] is JsonValue percent && percent.TryGetValue<int>(out var p))
        {
            return Math.Clamp(p, 0, 100);
        }
        if (mirror["fraction"] is JsonObject fraction && fraction["numerator"] is JsonValue numerator && numerator.TryGetValue<int>(out var n))
        {
            var d = fraction["denominator"] is JsonValue denominator && denominator.TryGetValue<int>(out var v) && v > 0 ? v : 100;
            return Math.Clamp(100.0 * n / d, 0, 100);
        }
        return 100;
    }

    /// <summary>A text that changes whenever the configuration does: the proxy is updated only then.</summary>
    public string Signature => string.Join('\n',
        Routes.Select(r => $"{r.RouteId} {r.Order} {r.Match.Path} {string.Join(',', r.Match.Headers?.Select(h => h.Name + "=" + string.Join('|', h.Values ?? [])) ?? [])} {string.Join(',', r.Metadata?.Select(kv => kv.Key + "=" + kv.Value) ?? [])}")
            .Concat(Clusters.Select(c => $"{c.ClusterId} {string.Join(',', c.Destinations?.Select(d => d.Key + "@" + d.Value.Address + "*" + d.Value.Metadata?[WeightedLoadBalancingPolicy.WeightKey]) ?? [])}")));

    private static List<ServingEndpoint> Select(JsonObject? service, IReadOnlyList<ServingEndpoint> endpoints)
    {
        if (service?["spec"]?["selector"] is not JsonObject selector || selector.Count == 0)
        {
            return [];
        }
        var ns = Ns(service);
        return [.. endpoints
            .Where(e => e.Namespace == ns && selector.All(kv => e.Labels.TryGetValue(kv.Key, out var v) && v == kv.Value?.GetValue<string>()))
            .OrderBy(e => e.Port)];
    }

    private static string Kind(JsonObject o) => o["kind"]?.GetValue<string>() ?? "";

    private static string Ns(JsonObject o) => o["metadata"]?["namespace"]?.GetValue<string>() ?? "";

    private static string Name(JsonObject o) => o["metadata"]?["name"]?.GetValue<string>() ?? "";
}

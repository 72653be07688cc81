using System.Text.Json.Nodes;
using GitOps.Planning.Cluster;
using GitOps.Specs.Kubernetes;
using GitOps.Specs.Model;

namespace GitOps.Planning.Rendering;

/// <summary>
/// The <c>spec</c> of the NetworkPolicies of an environment with <c>spec.networkPolicy</c>. Serving pods admit, on the
/// server's port only, the environment's clients (its router), Prometheus and the serving pods of the same model (the
/// other track, for mirroring). Training pods admit nothing. Both reach only DNS and the endpoints the environment
/// names in <c>egress</c> (the artifact store, dataset hosts). Optionally, a policy selecting every pod of the namespace
/// denies everything else.
/// </summary>
internal static class NetworkPolicies
{
    public const string DefaultDenyName = "gitops-default-deny";
    private const string NamespaceNameLabel = "kubernetes.io/metadata.name";

    private static readonly NetworkPeer DefaultDns = new()
    {
        Namespace = "kube-system",
        PodLabels = System.Collections.Immutable.ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal,
            [KeyValuePair.Create("k8s-app", "kube-dns")]),
        Ports = [53],
    };

    /// <summary>Name and spec of the policy of a model's serving pods.</summary>
    public static (string Name, JsonObject Spec) Serving(EnvironmentSpec env, NetworkPolicySettings network, string model)
    {
        var sameModel = new JsonObject
        {
            [ManagedLabels.Environment] = env.Name,
            [ManagedLabels.Model] = model,
            [ModelRenderer.RoleLabel] = ModelRenderer.RoleServing,
        };
        var from = new JsonArray();
        foreach (var client in Clients(env, network))
        {
            from.Add(Peer(client));
        }
        if (network.Prometheus is { } prometheus)
        {
            from.Add(Peer(prometheus));
        }
        from.Add(new JsonObject { ["podSelector"] = new JsonObject { ["matchLabels"] = sameModel.DeepClone() } });
        var spec = new JsonObject
        {
            ["podSelector"] = new JsonObject { ["matchLabels"] = sameModel },
            ["policyTypes"] = new JsonArray("Ingress", "Egress"),
            ["ingress"] = new JsonArray
            {
                new JsonObject { ["from"] = from, ["ports"] = new JsonArray(Port(ModelRenderer.Port, "TCP"), Port(ModelRenderer.GrpcPort, "TCP")) },
            },
            ["egress"] = Egress(network),
        };
        return (ResourceNames.Of(model, "serving"), spec);
    }

    /// <summary>Name and spec of the policy of a model's training pods.</summary>
    public static (string Name, JsonObject Spec) Training(EnvironmentSpec env, NetworkPolicySettings network, string model) =>
        (ResourceNames.Of(model, "training"), OutboundOnly(env, network, model, ModelRenderer.TrackTraining));

    /// <summary>Name and spec of the policy of a model's batch scoring pods: like training, nothing connects to them
    /// and they reach DNS and the egress endpoints (the artifact store, where input and output files live).</summary>
    public static (string Name, JsonObject Spec) Batch(EnvironmentSpec env, NetworkPolicySettings network, string model) =>
        (ResourceNames.Of(model, "batch"), OutboundOnly(env, network, model, ModelRenderer.TrackBatch));

    private static JsonObject OutboundOnly(EnvironmentSpec env, NetworkPolicySettings network, string model, string track)
    {
        var spec = new JsonObject
        {
            ["podSelector"] = new JsonObject
            {
                ["matchLabels"] = new JsonObject
                {
                    [ManagedLabels.Environment] = env.Name,
                    [ManagedLabels.Model] = model,
                    [ManagedLabels.Track] = track,
                },
            },
            // No ingress rule: nothing may connect to a trainer or a batch job.
            ["policyTypes"] = new JsonArray("Ingress", "Egress"),
            ["egress"] = Egress(network),
        };
        return spec;
    }

    /// <summary>The spec of the policy that selects every pod of the namespace and admits nothing.</summary>
    public static JsonObject DefaultDeny() => new()
    {
        ["podSelector"] = new JsonObject(),
        ["policyTypes"] = new JsonArray("Ingress", "Egress"),
    };

    /// <summary>The environment's clients, or those of its router: the Gateway's namespace, the Istio ingress, or the
    /// environment's own namespace when pods are addressed directly.</summary>
    private static IEnumerable<NetworkPeer> Clients(EnvironmentSpec env, NetworkPolicySettings network)
    {
        if (!network.Clients.IsEmpty)
        {
            return network.Clients;
        }
        return env.Spec.Router switch
        {
            TrafficRouters.GatewayApi => [new NetworkPeer { Namespace = env.Spec.Gateway?.Namespace ?? env.Spec.Namespace }],
            TrafficRouters.Istio => [new NetworkPeer { Namespace = "istio-system" }],
            _ => [new NetworkPeer { Namespace = env.Spec.Namespace }],
        };
    }

    private static JsonArray Egress(NetworkPolicySettings network)
    {
        var dns = network.Dns ?? DefaultDns;
        var dnsPorts = new JsonArray();
        foreach (var port in dns.Ports.IsEmpty ? [53] : dns.Ports)
        {
            dnsPorts.Add(Port(port, "UDP"));
            dnsPorts.Add(Port(port, "TCP"));
        }
        var rules = new JsonArray { new JsonObject { ["to"] = new JsonArray(Peer(dns)), ["ports"] = dnsPorts } };
        foreach (var endpoint in network.Egress)
        {
            var rule = new JsonObject { ["to"] = new JsonArray(Peer(endpoint)) };
            if (!endpoint.Ports.IsEmpty)
            {
                rule["ports"] = new JsonArray([.. endpoint.Ports.Select(p => (JsonNode)Port(p, "TCP"))]);
            }
            rules.Add(rule);
        }
        return rules;
    }

    private static JsonObject Peer(NetworkPeer peer)
    {
        if (peer.Cidr is { } cidr)
        {
            return new JsonObject { ["ipBlock"] = new JsonObject { ["cidr"] = cidr } };
        }
        var o = new JsonObject();
        if (peer.Namespace is { } ns)
        {
            o["namespaceSelector"] = new JsonObject { ["matchLabels"] = new JsonObject { [NamespaceNameLabel] = ns } };
        }
        if (!peer.PodLabels.IsEmpty)
        {
            var labels = new JsonObject();
            foreach (var (k, v) in peer.PodLabels)
            {
                labels[k] = v;
            }
            o["podSelector"] = new JsonObject { ["matchLabels"] = labels };
        }
        return o;
    }

    private static JsonObject Port(int port, string protocol) => new() { ["port"] = port, ["protocol"] = protocol };
}

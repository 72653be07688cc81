using System.Collections.Immutable;
using GitOps.Specs.Diagnostics;
using GitOps.Specs.Kubernetes;
using GitOps.Specs.Model;
using GitOps.Specs.Yaml;

namespace GitOps.Specs;

/// <summary>
/// What the Kubernetes API server would refuse in the fields rendering copies into objects: label and annotation
/// keys and values, nodeSelector entries, tolerations, GPU resource names and the names of the model's Services
/// after shortening. The rules are <see cref="KubernetesNames"/>, ported from the API server, so a spec that passes
/// here is not answered with a 422 by the cluster. Quantities are checked by <see cref="SemanticChecker"/> with
/// the one quantity parser (<see cref="Quantities"/>).
/// </summary>
internal static class KubernetesFieldChecks
{
    /// <summary>The tracks a model's Services are named after (<c>&lt;model&gt;</c>, <c>&lt;model&gt;-stable</c>, <c>&lt;model&gt;-canary</c>).</summary>
    private static readonly ImmutableArray<string> ServiceSuffixes = ["", "stable", "canary"];

    public static IEnumerable<Diagnostic> Check(SpecSet specs)
    {
        var diagnostics = new List<Diagnostic>();
        foreach (var spec in specs.All)
        {
            Labels(diagnostics, spec, "metadata.labels", spec.Metadata.Labels, "label");
            Annotations(diagnostics, spec);
        }
        foreach (var environment in specs.Environments)
        {
            Environment(diagnostics, environment);
        }
        foreach (var model in specs.Models)
        {
            ServiceNames(diagnostics, model);
        }
        return diagnostics;
    }

    private static void Labels(List<Diagnostic> diagnostics, SpecObject spec, string path,
        ImmutableSortedDictionary<string, string> labels, string what)
    {
        foreach (var (key, value) in labels)
        {
            var at = DocumentWalker.Child(path, key);
            var keyErrors = KubernetesNames.QualifiedName(key);
            if (!keyErrors.IsEmpty)
            {
                diagnostics.Add(new Diagnostic(DiagnosticIds.InvalidLabel, Severity.Error, spec.Origin.Key(at),
                    $"{what} key '{key}' in '{path}' is not a valid Kubernetes label key: {string.Join("; ", keyErrors)}",
                    "use an optional DNS prefix and '/', then at most 63 letters, digits, '-', '_' or '.', e.g. 'example.com/gpu-type'"));
            }
            var valueErrors = KubernetesNames.LabelValue(value);
            if (!valueErrors.IsEmpty)
            {
                diagnostics.Add(new Diagnostic(DiagnosticIds.InvalidLabel, Severity.Error, spec.Origin.Value(at),
                    $"{what} value '{value}' of '{key}' is not a valid Kubernetes label value: {string.Join("; ", valueErrors)}",
                    "use at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit (or an empty string)"));
            }
        }
    }

    private static void Annotations(List<Diagnostic> diagnostics, SpecObject spec)
    {
        const string path = "metadata.annotations";
        foreach (var key in spec.Metadata.Annotations.Keys)
        {
            var errors = KubernetesNames.AnnotationKey(key);
            if (!errors.IsEmpty)
            {
                diagnostics.Add(new Diagnostic(DiagnosticIds.InvalidAnnotation, Severity.Error, spec.Origin.Key(DocumentWalker.Child(path, key)),
                    $"annotation key '{key}' is not a valid Kubernetes annotation key: {string.Join("; ", errors)}",
                    "use an optional DNS prefix and '/', then at most 63 letters, digits, '-', '_' or '.', e.g. 'example.com/owner'"));
            }
        }
        var size = KubernetesNames.AnnotationsSize(spec.Metadata.Annotations);
        if (size > KubernetesNames.TotalAnnotationSizeLimitBytes)
        {
            diagnostics.Add(new Diagnostic(DiagnosticIds.InvalidAnnotation, Severity.Error, spec.Origin.Key(path),
                $"annotations take {size:N0} bytes, more than the {KubernetesNames.TotalAnnotationSizeLimitBytes:N0} bytes Kubernetes allows per object",
                "keep large text out of annotations: link to it instead"));
        }
    }

    private static void Environment(List<Diagnostic> diagnostics, EnvironmentSpec environment)
    {
        var s = environment.Spec;
        for (var i = 0; i < s.GpuPools.Length; i++)
        {
            var pool = s.GpuPools[i];
            var path = $"spec.gpuPools[{i}]";
            Labels(diagnostics, environment, path + ".nodeSelector", pool.NodeSelector, "nodeSelector");
            var resourceErrors = KubernetesNames.ExtendedResourceName(pool.Resource);
            if (!resourceErrors.IsEmpty)
            {
                diagnostics.Add(new Diagnostic(DiagnosticIds.InvalidResourceName, Severity.Error, environment.Origin.Value(path + ".resource"),
                    $"GPU pool '{pool.Name}' requests resource '{pool.Resource}', which Kubernetes refuses in a container's limits: {string.Join("; ", resourceErrors)}",
                    "use the extended resource the device plugin advertises, e.g. 'nvidia.com/gpu' or 'amd.com/gpu'"));
            }
            for (var j = 0; j < pool.Tolerations.Length; j++)
            {
                Toleration(diagnostics, environment, $"{path}.tolerations[{j}]", pool.Tolerations[j]);
            }
        }
        if (s.NetworkPolicy is { } network)
        {
            foreach (var (path, peer) in network.PeersWithPaths())
            {
                Labels(diagnostics, environment, path + ".podLabels", peer.PodLabels, "podLabels");
            }
        }
    }

    /// <summary>The checks of the API server's <c>ValidateTolerations</c>, for the fields a toleration spec has.</summary>
    private static void Toleration(List<Diagnostic> diagnostics, EnvironmentSpec environment, string path, Toleration t)
    {
        void Report(string field, string message, string hint) =>
            diagnostics.Add(new Diagnostic(DiagnosticIds.InvalidToleration, Severity.Error, environment.Origin.Value($"{path}.{field}"), message, hint));

        if (t.Key.Length > 0 && KubernetesNames.QualifiedName(t.Key) is { IsEmpty: false } keyErrors)
        {
            Report("key", $"toleration key '{t.Key}' is not a valid Kubernetes taint key: {string.Join("; ", keyErrors)}",
                "use the taint's key as the nodes carry it, e.g. 'nvidia.com/gpu'");
        }
        if (t.Key.Length == 0 && t.Operator != "Exists")
        {
            Report("operator", "a toleration without a key must use operator 'Exists' (it then tolerates every taint)",
                "set 'key' or 'operator: Exists'");
        }
        if (t.Operator == "Exists" && !string.IsNullOrEmpty(t.Value))
        {
            Report("value", $"toleration '{t.Key}' has value '{t.Value}' with operator 'Exists', which matches any value",
                "remove 'value', or use 'operator: Equal'");
        }
        else if (t.Operator == "Equal" && KubernetesNames.LabelValue(t.Value ?? "") is { IsEmpty: false } valueErrors)
        {
            Report("value", $"toleration value '{t.Value}' of '{t.Key}' is not a valid Kubernetes taint value: {string.Join("; ", valueErrors)}",
                "use at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit");
        }
        if (t.TolerationSeconds is not null && t.Effect != "NoExecute")
        {
            Report("tolerationSeconds", $"toleration '{t.Key}' sets tolerationSeconds with effect '{t.Effect ?? "(all)"}'; Kubernetes allows it only with 'NoExecute'",
                "set 'effect: NoExecute' or remove 'tolerationSeconds'");
        }
    }

    /// <summary>
    /// A model's Services are named after it (<see cref="ResourceNames"/>, shortened to 63 characters) and a Service
    /// name must be a DNS-1035 label: a model name a schema accepts (a DNS-1123 label) can still be refused here.
    /// </summary>
    private static void ServiceNames(List<Diagnostic> diagnostics, ModelSpec model)
    {
        foreach (var suffix in ServiceSuffixes)
        {
            var name = suffix.Length == 0 ? ResourceNames.Of(model.Name) : ResourceNames.Of(model.Name, suffix);
            var errors = KubernetesNames.Dns1035Label(name);
            if (!errors.IsEmpty)
            {
                diagnostics.Add(new Diagnostic(DiagnosticIds.InvalidObjectName, Severity.Error, model.Origin.Value("metadata.name"),
                    $"model '{model.Name}' would be served by a Service named '{name}', which Kubernetes refuses: {string.Join("; ", errors)}",
                    "start the model name with a letter"));
                return;
            }
        }
    }
}

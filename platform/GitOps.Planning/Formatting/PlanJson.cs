using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using GitOps.Planning.Diff;
using GitOps.Planning.Plans;
using GitOps.Specs.Diagnostics;

namespace GitOps.Planning.Formatting;

/// <summary>
/// The plan as JSON with a stable, documented shape (<c>docs/planning.md</c>, "JSON format"). Keys are camelCase
/// and always written in the same order; <c>formatVersion</c> changes only when a field is removed or renamed.
/// Unchanged objects are counted but not listed, so the document stays proportional to the change.
/// </summary>
public static class PlanJson
{
    public const int FormatVersion = 1;

    public static string Format(RepositoryPlan plan) => Write(w =>
    {
        w.WriteStartObject();
        w.WriteNumber("formatVersion", FormatVersion);
        w.WriteString("commit", plan.Commit);
        w.WriteBoolean("hasChanges", plan.HasChanges);
        w.WriteBoolean("hasErrors", plan.HasErrors);
        w.WriteStartArray("environments");
        foreach (var env in plan.Environments)
        {
            WriteEnvironment(w, env);
        }
        w.WriteEndArray();
        w.WriteEndObject();
    });

    /// <summary>
    /// The plan of a commit whose specs have errors: nothing is planned, so no environment is listed, and the findings
    /// that stopped it are in a top-level <c>diagnostics</c> array (the shape of an environment's), so that a pipeline
    /// reading the JSON sees why instead of an empty output.
    /// </summary>
    public static string FormatSpecErrors(string? commit, IEnumerable<Diagnostic> diagnostics) => Write(w =>
    {
        w.WriteStartObject();
        w.WriteNumber("formatVersion", FormatVersion);
        w.WriteString("commit", commit);
        w.WriteBoolean("hasChanges", false);
        w.WriteBoolean("hasErrors", true);
        w.WriteStartArray("environments");
        w.WriteEndArray();
        WriteDiagnostics(w, diagnostics);
        w.WriteEndObject();
    });

    private static string Write(Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions
        {
            Indented = true,
            Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        }))
        {
            write(w);
        }
        return Encoding.UTF8.GetString(buffer.WrittenSpan) + "\n";
    }

    private static void WriteEnvironment(Utf8JsonWriter w, EnvironmentPlan env)
    {
        var p = env.Plan;
        w.WriteStartObject();
        w.WriteString("name", env.Environment);
        w.WriteString("namespace", env.Namespace);
        w.WriteBoolean("hasChanges", p.HasChanges);
        w.WriteStartObject("counts");
        w.WriteNumber("create", p.Count(ActionKind.Create));
        w.WriteNumber("update", p.Count(ActionKind.Update));
        w.WriteNumber("delete", p.Count(ActionKind.Delete));
        w.WriteNumber("unchanged", p.Count(ActionKind.Unchanged));
        w.WriteEndObject();

        var s = env.Summary;
        w.WriteStartObject("summary");
        w.WriteStartArray("models");
        foreach (var m in s.Models)
        {
            w.WriteStartObject();
            w.WriteString("name", m.Model);
            w.WriteString("fromVersion", m.From);
            w.WriteString("toVersion", m.To);
            w.WriteString("change", m.Change);
            w.WriteString("detail", m.Detail);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteStartArray("trainingJobs");
        foreach (var t in s.Training)
        {
            w.WriteStartObject();
            w.WriteString("model", t.Model);
            w.WriteString("version", t.Version);
            w.WriteString("job", t.Job);
            w.WriteNumber("gpus", t.Gpus);
            w.WriteString("pool", t.Pool);
            w.WriteString("gpuResource", t.GpuResource);
            w.WriteString("timeout", t.Timeout);
            w.WriteNumber("timeoutSeconds", t.TimeoutSeconds);
            w.WriteNumber("retries", t.Retries);
            w.WriteNumber("gpuHours", t.GpuHours);
            w.WriteNumber("estimatedCost", t.EstimatedCost);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteNumber("gpuHours", s.GpuHours);
        w.WriteNumber("estimatedCost", s.EstimatedCost);
        w.WriteStartArray("rollouts");
        foreach (var r in s.Rollouts)
        {
            w.WriteStartObject();
            w.WriteString("model", r.Model);
            w.WriteString("fromVersion", r.From);
            w.WriteString("toVersion", r.To);
            w.WriteString("strategy", r.Strategy);
            w.WriteString("policy", r.Policy);
            w.WriteString("state", r.State);
            Strings(w, "steps", r.Steps);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteStartArray("qualityGates");
        foreach (var g in s.Gates)
        {
            w.WriteStartObject();
            w.WriteString("model", g.Model);
            w.WriteString("version", g.Version);
            w.WriteString("gate", g.Gate);
            Strings(w, "rules", g.Rules);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        Strings(w, "warnings", s.Warnings);
        w.WriteEndObject();

        w.WriteStartArray("actions");
        foreach (var a in p.Changes)
        {
            w.WriteStartObject();
            w.WriteString("action", Formats.Action(a.Action));
            w.WriteString("wave", Formats.Wave(a.Wave));
            w.WriteString("apiVersion", a.Key.ApiVersion);
            w.WriteString("kind", a.Key.Kind);
            w.WriteString("namespace", a.Key.Namespace);
            w.WriteString("name", a.Key.Name);
            w.WriteString("reason", a.Reason);
            w.WriteStartArray("changes");
            foreach (var c in a.Diff)
            {
                WriteChange(w, c);
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteStartArray("conflicts");
        foreach (var c in p.Conflicts)
        {
            w.WriteStartObject();
            w.WriteString("kind", c.Key.Kind);
            w.WriteString("namespace", c.Key.Namespace);
            w.WriteString("name", c.Key.Name);
            w.WriteString("reason", c.Reason);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        WriteDiagnostics(w, env.Diagnostics);
        w.WriteEndObject();
    }

    private static void WriteDiagnostics(Utf8JsonWriter w, IEnumerable<Diagnostic> diagnostics)
    {
        w.WriteStartArray("diagnostics");
        foreach (var d in diagnostics)
        {
            w.WriteStartObject();
            w.WriteString("id", d.Id);
            w.WriteString("severity", d.Severity.ToString().ToLowerInvariant());
            w.WriteString("location", d.Span.ToString());
            w.WriteString("message", d.Message);
            w.WriteString("hint", d.Hint);
            w.WriteEndObject();
        }
        w.WriteEndArray();
    }

    private static void WriteChange(Utf8JsonWriter w, FieldChange c)
    {
        w.WriteStartObject();
        w.WriteString("path", c.Path);
        w.WritePropertyName("before");
        Node(w, c.Before);
        w.WritePropertyName("after");
        Node(w, c.After);
        w.WriteEndObject();
    }

    private static void Node(Utf8JsonWriter w, JsonNode? node)
    {
        if (node is null)
        {
            w.WriteNullValue();
            return;
        }
        JsonNode.Parse(Rendering.CanonicalJson.ToText(node))!.WriteTo(w);
    }

    private static void Strings(Utf8JsonWriter w, string name, IEnumerable<string> values)
    {
        w.WriteStartArray(name);
        foreach (var v in values)
        {
            w.WriteStringValue(v);
        }
        w.WriteEndArray();
    }
}

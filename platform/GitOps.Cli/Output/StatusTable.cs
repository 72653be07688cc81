using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using GitOps.Reconciler.Drivers.Local;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace GitOps.Cli.Output;

/// <summary>How <c>gitops up</c> and <c>gitops status</c> show environments: a table, one line per change, JSON, and
/// the closing list of URLs with a request ready to paste.</summary>
public static class StatusTable
{
    public static IRenderable Render(IReadOnlyList<EnvironmentStatusView> views, IReadOnlyList<string> recent)
    {
        var table = new Table().Border(TableBorder.Rounded)
            .AddColumn("Environment").AddColumn("Model").AddColumn("Version").AddColumn("Training")
            .AddColumn("Replicas").AddColumn("Route").AddColumn("Last outcome");
        foreach (var view in views)
        {
            var outcome = $"{Colour(view.Outcome)}{(view.Commit is { } c ? " " + Markup.Escape(Short(c)) : "")}";
            if (view.Models.IsEmpty)
            {
                table.AddRow(Markup.Escape(view.Environment), "-", "-", "-", "-", "-", outcome);
            }
            foreach (var model in view.Models)
            {
                var replicas = $"{model.ReadyReplicas}/{model.DesiredReplicas}";
                table.AddRow(
                    Markup.Escape(view.Environment),
                    Markup.Escape(model.Model),
                    Markup.Escape(model.Version ?? "-"),
                    Markup.Escape(model.Training),
                    model.DesiredReplicas > 0 && model.ReadyReplicas >= model.DesiredReplicas ? $"[green]{replicas}[/]" : replicas,
                    Markup.Escape(model.Url ?? "-"),
                    outcome);
            }
        }
        var rows = new List<IRenderable> { table };
        foreach (var view in views)
        {
            if (view.Message is { Length: > 0 } message && view.Outcome is "Stalled" or "Retry")
            {
                rows.Add(new Markup($"[yellow]{Markup.Escape(view.Environment)}: {Markup.Escape(message)}[/]"));
            }
            foreach (var model in view.Models.Where(m => m.Problem is not null))
            {
                rows.Add(new Markup($"[red]{Markup.Escape(model.Model)}: {Markup.Escape(model.Problem!)}[/]"));
            }
            foreach (var model in view.Models.Where(m => m.Held is not null))
            {
                rows.Add(new Markup($"[yellow]{Markup.Escape(model.Model)} {Markup.Escape(model.Held!)}[/]"));
            }
            if (view.PrometheusProblem is { } problem)
            {
                rows.Add(new Markup($"[yellow]{Markup.Escape(problem)}[/]"));
            }
            rows.AddRange(view.Retraining.Select(x => new Markup($"{Markup.Escape(view.Environment)} {Markup.Escape(x)}")));
            rows.AddRange(view.Experiments.Select(x => new Markup($"{Markup.Escape(view.Environment)} experiment {Markup.Escape(x)}")));
        }
        rows.AddRange(recent.Select(r => new Markup($"[grey]{Markup.Escape(r)}[/]")));
        return new Rows(rows);
    }

    /// <summary>One line per environment and model, for logs and terminals without a live display.</summary>
    public static string Lines(EnvironmentStatusView view)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"{view.Environment}: {view.Outcome}{(view.Commit is { } c ? " " + Short(c) : "")}");
        if (view.Message is { Length: > 0 } message && view.Outcome is "Stalled" or "Retry")
        {
            text.Append(CultureInfo.InvariantCulture, $": {message}");
        }
        foreach (var model in view.Models)
        {
            text.Append(CultureInfo.InvariantCulture,
                $"\n  {model.Model} {model.Version ?? "-"}: {model.Training}, {model.ReadyReplicas}/{model.DesiredReplicas} ready, route {model.Url ?? "-"}");
            if (model.Problem is { } problem)
            {
                text.Append(CultureInfo.InvariantCulture, $"\n    {problem}");
            }
            if (model.Held is { } held)
            {
                text.Append(CultureInfo.InvariantCulture, $"\n    not served: {held}");
            }
        }
        foreach (var retrain in view.Retraining)
        {
            text.Append(CultureInfo.InvariantCulture, $"\n  {retrain}");
        }
        foreach (var experiment in view.Experiments)
        {
            text.Append(CultureInfo.InvariantCulture, $"\n  experiment {experiment}");
        }
        return text.ToString();
    }

    /// <summary>The URLs of every model and a <c>curl</c> that calls the first one with a row of zeros.</summary>
    public static string Ready(EnvironmentStatusView view)
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"Environment {view.Environment} is serving:");
        foreach (var model in view.Models)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"  {model.Model,-24} {model.Url}");
        }
        if (view.Prometheus is { } prometheus)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"  {"Prometheus",-24} {prometheus}");
        }
        if (view.Proxy is { } proxy)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"  {"Platform metrics",-24} {proxy.TrimEnd('/')}/metrics");
        }
        if (view.Models.FirstOrDefault(m => m.Url is not null) is { } first)
        {
            text.AppendLine("Try:");
            var auth = view.TokenFile is { } token ? $" -H \"Authorization: Bearer $(cat {token})\"" : "";
            text.AppendLine(CultureInfo.InvariantCulture, $"  curl -s {first.Url} -H 'Content-Type: application/json'{auth} -d '{ExampleRequest(first)}'");
        }
        return text.ToString();
    }

    /// <summary>An Open Inference Protocol v2 request with one row of zeros for every input.</summary>
    public static string ExampleRequest(ModelStatusView model)
    {
        var inputs = model.Inputs.Select(i =>
        {
            var shape = i.Shape.Select(d => d < 0 ? 1 : d).ToArray();
            var count = shape.Aggregate(1L, (a, b) => a * b);
            var datatype = i.Type switch
            {
                "float64" => "FP64",
                "int64" => "INT64",
                "int32" => "INT32",
                "bool" => "BOOL",
                "string" => "BYTES",
                _ => "FP32",
            };
            var zero = datatype == "BOOL" ? "false" : datatype == "BYTES" ? "\"\"" : "0";
            return $"{{\"name\":\"{i.Name}\",\"shape\":[{string.Join(',', shape)}],\"datatype\":\"{datatype}\",\"data\":[{string.Join(',', Enumerable.Repeat(zero, (int)Math.Min(count, 4096)))}]}}";
        });
        return $"{{\"inputs\":[{string.Join(',', inputs)}]}}";
    }

    public static string ToJson(IReadOnlyList<EnvironmentStatusView> views) =>
        JsonSerializer.Serialize(new StatusDocument(views), StatusJson.Default.StatusDocument) + "\n";

    private static string Colour(string outcome) => outcome switch
    {
        "Applied" or "NoChange" => $"[green]{outcome}[/]",
        "Stalled" => $"[red]{outcome}[/]",
        "Retry" => $"[yellow]{outcome}[/]",
        _ => Markup.Escape(outcome),
    };

    private static string Short(string commit) => commit.Length > 12 && !commit.Contains('-', StringComparison.Ordinal) ? commit[..12] : commit;
}

/// <summary>The document <c>gitops status -o json</c> prints.</summary>
internal sealed record StatusDocument(IReadOnlyList<EnvironmentStatusView> Environments);

/// <summary>How <see cref="StatusDocument"/> is written, generated when building (no reflection: the native build runs it).</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, WriteIndented = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(StatusDocument))]
internal sealed partial class StatusJson : JsonSerializerContext;

using System.CommandLine;
using System.Reflection;
using System.Text;
using GitOps.Cli.Conventions;
using GitOps.Cli.Output;
using GitOps.Cli.Validation;
using GitOps.Planning.Formatting;
using GitOps.Policy;
using GitOps.Specs;
using GitOps.Specs.Contracts;

namespace GitOps.Cli.Commands;

/// <summary><c>gitops validate [PATH] [-o text|json|sarif|github] [--warnings-as-errors]</c>.</summary>
public static class ValidateCommand
{
    public static readonly string[] Formats = ["text", "json", "sarif", "github"];

    public static Command Create()
    {
        var command = new Command("validate", "Check every spec of a repository: YAML, schema, references and policies.");
        var repository = RepositoryPath.AddTo(command);
        var format = OutputOption.Create("text (compiler style), json, sarif (code scanning) or github (workflow annotations)", Formats);
        var warningsAsErrors = new Option<bool>("--warnings-as-errors")
        {
            Description = "Exit 1 when there are warnings, as if they were errors.",
        };
        command.Options.Add(format);
        command.Options.Add(warningsAsErrors);
        command.WithExamples(
            ("gitops validate", "the repository in the current directory, compiler-style messages"),
            ("gitops validate ../ml-platform -o github", "annotations on a pull request's changed lines"),
            ("gitops validate -o sarif > gitops.sarif", "a code-scanning upload"));
        command.SetAction((parse, ct) => RunAsync(repository.Resolve(parse), parse.GetValue(format)!, parse.GetValue(warningsAsErrors), ColorMode.Painter(parse), parse.Out(), parse.Err(), ct));
        return command;
    }

    public static async Task<int> RunAsync(string root, string format, bool warningsAsErrors, TextPainter painter, TextWriter stdout, TextWriter stderr, CancellationToken ct)
    {
        var report = Validate(root);
        ct.ThrowIfCancellationRequested();
        switch (format)
        {
            case "json":
                await stdout.WriteAsync(JsonFormat.Render(report));
                break;
            case "sarif":
                await stdout.WriteAsync(SarifFormat.Render(report, ToolVersion));
                break;
            case "github":
                await stdout.WriteAsync(GitHubFormat.Render(report));
                break;
            default:
                await stdout.WriteAsync(TextFormat.Render(report, painter));
                break;
        }
        if (format is "json" or "sarif")
        {
            await stderr.WriteLineAsync($"validate: {report.Summary()}");
        }
        var failed = report.Errors > 0 || (warningsAsErrors && report.Warnings > 0);
        return (int)(failed ? ExitCode.Findings : ExitCode.Success);
    }

    /// <summary>Reads the repository at <paramref name="root"/> and runs every check.</summary>
    public static ValidationReport Validate(string root)
    {
        var files = RepositoryReader.Read(root);
        var result = RepositoryValidator.Validate(files);
        // Only files with findings are decoded again, for the lines the findings quote.
        var reported = result.Diagnostics.Select(d => d.Span.File).ToHashSet(StringComparer.Ordinal);
        var sources = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var file in files)
        {
            if (reported.Contains(file.Path))
            {
                sources[file.Path] = Encoding.UTF8.GetString(file.Content);
            }
        }
        return new ValidationReport(result.Diagnostics, files.Count, result.Specs.All.Count(), sources);
    }

    public static string ToolVersion =>
        typeof(ValidateCommand).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";
}

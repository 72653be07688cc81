using System.CommandLine;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Serialization;
using GitOps.Cli.Conventions;
using GitOps.Specs.Contracts;
using Microsoft.ML.OnnxRuntime;

namespace GitOps.Cli.Commands;

/// <summary><c>gitops version [-o text|json]</c>: the version, the commit it was built from, the .NET runtime and ONNX Runtime.</summary>
public static class VersionCommand
{
    /// <summary>What <c>gitops version</c> reports.</summary>
    public sealed record VersionInfo(string Version, string Commit, string Runtime, string OnnxRuntime, IReadOnlyList<string> ExecutionProviders);

    public static Command Create()
    {
        var format = OutputOption.Create("text or json", "text", "json");
        var command = new Command("version", "Print the version, commit, .NET runtime, ONNX Runtime version and its execution providers") { format };
        command.WithExamples(
            ("gitops version", "one line per fact"),
            ("gitops version -o json", "the same as a JSON object, for scripts and bug reports"));
        command.SetAction(parse =>
        {
            var info = Read();
            var stdout = parse.InvocationConfiguration.Output;
            if (parse.GetValue(format) == "json")
            {
                stdout.WriteLine(JsonSerializer.Serialize(info, VersionJson.Default.VersionInfo));
            }
            else
            {
                stdout.WriteLine($"gitops {info.Version}");
                stdout.WriteLine($"  commit:               {info.Commit}");
                stdout.WriteLine($"  runtime:              {info.Runtime}");
                stdout.WriteLine($"  onnx runtime:         {info.OnnxRuntime}");
                stdout.WriteLine($"  execution providers:  {string.Join(", ", info.ExecutionProviders)} (built in; serve logs the one it uses)");
            }
            return (int)ExitCode.Success;
        });
        return command;
    }

    public static VersionInfo Read()
    {
        var informational = typeof(VersionCommand).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";
        var plus = informational.IndexOf('+', StringComparison.Ordinal);
        var environment = OrtEnv.Instance();
        return new VersionInfo(
            plus < 0 ? informational : informational[..plus],
            plus < 0 ? "unknown" : informational[(plus + 1)..],
            $"{RuntimeInformation.FrameworkDescription} ({RuntimeInformation.RuntimeIdentifier})",
            environment.GetVersionString(),
            environment.GetAvailableProviders());
    }
}

/// <summary>How <c>version -o json</c> is written, generated when building (no reflection: the native build runs it).</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, WriteIndented = true)]
[JsonSerializable(typeof(VersionCommand.VersionInfo))]
internal sealed partial class VersionJson : JsonSerializerContext;

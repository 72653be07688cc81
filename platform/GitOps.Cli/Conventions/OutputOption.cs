using System.CommandLine;

namespace GitOps.Cli.Conventions;

/// <summary>
/// <c>-o/--output FORMAT</c> (alias <c>--format</c>) for every command that formats its output, as kubectl users
/// expect. The default is the first format, or <c>GITOPS_OUTPUT_FORMAT</c> when the command supports that format.
/// </summary>
public static class OutputOption
{
    public const string Variable = "GITOPS_OUTPUT_FORMAT";

    /// <param name="description">What the formats are, e.g. "text, json or markdown (a pull-request comment)".</param>
    /// <param name="formats">The formats the command writes; the first is the default.</param>
    public static Option<string> Create(string description, params string[] formats)
    {
        var option = new Option<string>("--output", "-o", "--format")
        {
            Description = $"Output format: {description}",
            HelpName = "FORMAT",
            DefaultValueFactory = _ => CliEnvironment.Current.Get(Variable) is { } fromEnvironment && formats.Contains(fromEnvironment, StringComparer.Ordinal)
                ? fromEnvironment
                : formats[0],
        };
        option.AcceptOnlyFromAmong(formats);
        return option;
    }
}

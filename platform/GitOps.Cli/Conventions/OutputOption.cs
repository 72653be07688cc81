using System.CommandLine;

namespace GitOps.Cli.Conventions;

/// <summary>
/// <c>-o/--output FORMAT</c> (alias <c>--format</c>) for every command that formats its output, as kubectl users
/// expect. The default is the first format, or <c>GITOPS_OUTPUT_FORMAT</c> (in any case) when the command supports that
/// format; a value that is no command's format is a usage error (<see cref="VariableProblem"/>).
/// </summary>
public static class OutputOption
{
    public const string Variable = "GITOPS_OUTPUT_FORMAT";

    /// <summary>Every format of every command: what <see cref="Variable"/> may be set to.</summary>
    public static readonly IReadOnlyList<string> AllFormats = ["text", "json", "markdown", "sarif", "github"];

    /// <param name="description">What the formats are, e.g. "text, json or markdown (a pull-request comment)".</param>
    /// <param name="formats">The formats the command writes; the first is the default.</param>
    public static Option<string> Create(string description, params string[] formats)
    {
        var option = new Option<string>("--output", "-o", "--format")
        {
            Description = $"Output format: {description}",
            HelpName = "FORMAT",
            DefaultValueFactory = _ => EnvironmentChoices.Get(Variable, formats) ?? formats[0],
        };
        if (formats.FirstOrDefault(f => !AllFormats.Contains(f)) is { } unlisted)
        {
            throw new ArgumentException($"format '{unlisted}' is missing from {nameof(OutputOption)}.{nameof(AllFormats)}", nameof(formats));
        }
        option.AcceptOnlyFromAmong(formats);
        return option;
    }

    /// <summary>Why <see cref="Variable"/> cannot be the default of the parsed command's <c>-o</c>, it being no command's
    /// format; null when it can, when <c>-o</c> is given (it wins) or when the command has no <c>-o</c>.</summary>
    public static string? VariableProblem(ParseResult parse) =>
        parse.CommandResult.Command.Options.FirstOrDefault(o => o.Name == "--output" && o.Aliases.Contains("--format")) is { } option
        && parse.GetResult(option) is null or { Implicit: true }
            ? EnvironmentChoices.Problem(Variable, AllFormats)
            : null;
}

using System.CommandLine;
using GitOps.Cli.Conventions;

namespace GitOps.Cli.Output;

/// <summary>
/// <c>--color auto|always|never</c> (on every command). <c>auto</c> colours a stream only when it is a terminal,
/// <c>NO_COLOR</c> is unset and <c>TERM</c> is not <c>dumb</c>; <c>GITOPS_FORCE_COLOR</c> colours even when piped
/// (CI logs that render ANSI). The flag wins over both variables.
/// </summary>
public static class ColorMode
{
    public const string NoColorVariable = "NO_COLOR";
    public const string ForceColorVariable = "GITOPS_FORCE_COLOR";

    public const string OptionName = "--color";

    /// <summary>The option, added once to the root command and inherited by every command.</summary>
    public static Option<string> CreateOption()
    {
        var option = new Option<string>(OptionName)
        {
            Description = $"Colour output: auto (on a terminal, unless {NoColorVariable} is set), always or never",
            DefaultValueFactory = _ => "auto",
            HelpName = "WHEN",
            Recursive = true,
        };
        option.AcceptOnlyFromAmong("auto", "always", "never");
        return option;
    }

    /// <summary>Whether standard output (or standard error) of this invocation may carry colour.</summary>
    public static bool Enabled(ParseResult parse, bool forStandardError = false)
    {
        var environment = CliEnvironment.Current;
        switch (parse.GetValue<string>(OptionName))
        {
            case "always":
                return true;
            case "never":
                return false;
        }
        if (environment.Get(NoColorVariable) is not null)
        {
            return false;
        }
        if (environment.Get(ForceColorVariable) is not null)
        {
            return true;
        }
        if (environment.Get("TERM") == "dumb")
        {
            return false;
        }
        return forStandardError ? environment.ErrorIsTerminal : environment.OutputIsTerminal;
    }

    /// <summary>A painter for standard output: ANSI colour when enabled, plain text otherwise.</summary>
    public static GitOps.Planning.Formatting.TextPainter Painter(ParseResult parse, bool forStandardError = false) =>
        Enabled(parse, forStandardError) ? AnsiPainter.Instance : GitOps.Planning.Formatting.PlainText.Painter;
}

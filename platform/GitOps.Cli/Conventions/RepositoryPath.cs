using System.CommandLine;
using GitOps.Cli.Output;
using GitOps.Specs.Diagnostics;

namespace GitOps.Cli.Conventions;

/// <summary>
/// The repository a command reads: a positional <c>[PATH]</c> (<c>gitops plan DIR</c>), the <c>--repo</c> alias, then
/// <c>GITOPS_REPOSITORY</c>, then the current directory. (<c>reconcile --repo</c> is a Git URL and does not use this.)
/// </summary>
public sealed class RepositoryPath
{
    public const string Variable = "GITOPS_REPOSITORY";

    private RepositoryPath(Argument<string?> argument, Option<string?> option)
    {
        Argument = argument;
        Option = option;
    }

    public Argument<string?> Argument { get; }

    public Option<string?> Option { get; }

    /// <summary>Adds <c>[PATH]</c> and <c>--repo</c> to <paramref name="command"/>.</summary>
    public static RepositoryPath AddTo(Command command)
    {
        var argument = new Argument<string?>("PATH")
        {
            Description = $"Root of the GitOps repository, the folder holding environments/, models/, policies/ (default: ${Variable}, else the current directory)",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var option = new Option<string?>("--repo") { Description = "Same as PATH", HelpName = "PATH" };
        // An option the command does not have would otherwise be taken for PATH ("folder '--bogus' does not exist").
        argument.Validators.Add(result =>
        {
            foreach (var token in result.Tokens.Select(t => t.Value).Where(v => v.Length > 1 && v[0] == '-'))
            {
                var name = token.Split('=')[0];
                var typo = Suggestions.DidYouMean(name, command.Options.SelectMany(o => o.Aliases.Prepend(o.Name))) is { } hint
                    ? $" {char.ToUpperInvariant(hint[0])}{hint[1..]}"
                    : "";
                result.AddError($"unrecognized option '{token}'.{typo} (A folder whose name starts with '-' is passed as ./{token}.)");
            }
        });
        command.Arguments.Add(argument);
        command.Options.Add(option);
        return new RepositoryPath(argument, option);
    }

    /// <summary>The folder to read. Throws <see cref="UserError"/> when PATH and --repo name different folders.</summary>
    public string Resolve(ParseResult parse)
    {
        var positional = parse.GetValue(Argument);
        var named = parse.GetValue(Option);
        if (positional is not null && named is not null && !string.Equals(Path.GetFullPath(positional), Path.GetFullPath(named), StringComparison.Ordinal))
        {
            throw new UserError($"PATH '{positional}' and --repo '{named}' name different folders; pass only one of them.");
        }
        return positional ?? named ?? CliEnvironment.Current.Get(Variable) ?? ".";
    }

    /// <summary>The folder completions read names from: the typed PATH or --repo, else the default.</summary>
    public string ResolveForCompletion(ParseResult parse)
    {
        try
        {
            return Resolve(parse);
        }
        catch (UserError)
        {
            return ".";
        }
    }
}

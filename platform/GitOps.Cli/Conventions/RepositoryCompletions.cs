using System.CommandLine;
using System.CommandLine.Completions;
using GitOps.Specs;
using GitOps.Specs.Model;

namespace GitOps.Cli.Conventions;

/// <summary>
/// Shell completion of names defined in the repository (<c>--env</c> values, model names): read from the PATH or
/// --repo typed so far, else the default repository. A repository that cannot be read completes nothing.
/// </summary>
public static class RepositoryCompletions
{
    /// <summary>Completes <paramref name="option"/> with the repository's Environment names.</summary>
    public static void CompleteEnvironments(this Option option, RepositoryPath? repository) =>
        option.CompletionSources.Add(context => Names(context, repository, specs => specs.Environments.Select(e => e.Name)));

    /// <summary>Completes <paramref name="option"/> with the repository's Model names.</summary>
    public static void CompleteModels(this Option option, RepositoryPath? repository) =>
        option.CompletionSources.Add(context => Names(context, repository, specs => specs.Models.Select(m => m.Name)));

    /// <summary>Completes <paramref name="argument"/> with the repository's Model names.</summary>
    public static void CompleteModels(this Argument argument, RepositoryPath? repository) =>
        argument.CompletionSources.Add(context => Names(context, repository, specs => specs.Models.Select(m => m.Name)));

    private static IEnumerable<CompletionItem> Names(CompletionContext context, RepositoryPath? repository, Func<SpecSet, IEnumerable<string>> select)
    {
        var root = repository?.ResolveForCompletion(context.ParseResult) ?? CliEnvironment.Current.Get(RepositoryPath.Variable) ?? ".";
        SpecSet specs;
        try
        {
            if (!Directory.Exists(root))
            {
                return [];
            }
            specs = SpecLoader.Load(SpecFileReader.Read(root)).Specs;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return [];
        }
        return select(specs)
            .Where(name => name.StartsWith(context.WordToComplete, StringComparison.Ordinal))
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal)
            .Select(name => new CompletionItem(name));
    }
}

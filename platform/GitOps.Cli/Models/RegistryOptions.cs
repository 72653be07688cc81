using System.CommandLine;
using GitOps.Cli.Conventions;
using GitOps.Cli.Output;
using GitOps.Registry;
using GitOps.Registry.Stores;
using GitOps.Specs.Contracts;

namespace GitOps.Cli.Models;

/// <summary>
/// The options every command reading the registry of record shares (<c>gitops models</c>, <c>gitops experiments</c>):
/// <c>--env</c> or <c>--store</c>, <c>-o text|json</c> and the repository; and how such a command reads and prints.
/// </summary>
public sealed record RegistryOptions(Option<string?> Env, Option<string?> Store, Option<string> Output, RepositoryPath Repository)
{
    public static RegistryOptions AddTo(Command command, string envDescription, string textDescription)
    {
        var env = new Option<string?>("--env") { Description = envDescription, HelpName = "ENV" };
        var store = new Option<string?>("--store")
        {
            Description = "Read this artifact store instead of the environment's: a path, file://, http(s):// or s3:// URI",
            HelpName = "URI",
        };
        var output = OutputOption.Create(textDescription, "text", "json");
        command.Options.Add(env);
        command.Options.Add(store);
        command.Options.Add(output);
        var repository = RepositoryPath.AddTo(command);
        env.CompleteEnvironments(repository);
        return new RegistryOptions(env, store, output, repository);
    }

    /// <summary>Opens the registry and prints what <paramref name="render"/> makes of it. A store that cannot be read
    /// is a finding (exit 1: it may answer later); a wrong name is a usage error (exit 2, via <see cref="UserError"/>).</summary>
    public async Task<int> ReadAsync(ParseResult parse, Func<RegistryTarget, string, Task<string>> render)
    {
        var root = Repository.Resolve(parse);
        using var target = RegistryTarget.Open(root, parse.GetValue(Env), parse.GetValue(Store));
        try
        {
            await parse.Out().WriteAsync(await render(target, root));
            return (int)ExitCode.Success;
        }
        catch (Exception e) when (e is ArtifactStoreException or RegistryDataException)
        {
            await parse.Err().WriteLineAsync($"error: {e.Message}");
            return (int)ExitCode.Findings;
        }
    }
}

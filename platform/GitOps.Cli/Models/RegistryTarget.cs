using GitOps.Cli.Commands;
using GitOps.Cli.Conventions;
using GitOps.Cli.Output;
using GitOps.Planning.Rendering;
using GitOps.Registry;
using GitOps.Registry.Stores;
using GitOps.Training.Artifacts;

namespace GitOps.Cli.Models;

/// <summary>
/// The registry <c>gitops models</c> reads: the artifact store of an environment of the repository (<c>--env</c>,
/// its <c>spec.artifacts.uri</c>; a local environment's default store is in its state folder, as <c>gitops up</c>
/// keeps it), or a store named directly (<c>--store</c>). <see cref="Environments"/> are the repository's
/// environments, whose deploy histories say where a version is served.
/// </summary>
public sealed class RegistryTarget : IDisposable
{
    private readonly HttpClient _http;

    private RegistryTarget(HttpClient http, string uri, IArtifactStore store, string? environment, IReadOnlyList<string> environments)
    {
        _http = http;
        Uri = uri;
        Store = store;
        Registry = new ModelRegistry(store);
        Environment = environment;
        Environments = environments;
    }

    /// <summary>The store's URI as <see cref="Open"/> located it.</summary>
    public string Uri { get; }

    public IArtifactStore Store { get; }

    public ModelRegistry Registry { get; }

    /// <summary>The environment named with --env, if any.</summary>
    public string? Environment { get; }

    public IReadOnlyList<string> Environments { get; }

    public static RegistryTarget Open(string repository, string? environment, string? store)
    {
        var (token, tokenError) = ArtifactsToken.Read(CliEnvironment.Current.Variable);
        if (tokenError is not null)
        {
            throw new UserError(tokenError);
        }
        var (uri, name, environments, artifacts) = Locate(repository, environment, store);
        var http = new HttpClient { Timeout = TimeSpan.FromMinutes(1) };
        // An environment's s3:// store is reached with its spec.artifacts.s3 settings, as its pods reach it.
        var (opened, error) = ArtifactStores.Open(uri, http, token, S3Variables.Over(artifacts, CliEnvironment.Current.Variable));
        if (opened is null)
        {
            http.Dispose();
            throw new UserError(error!);
        }
        return new RegistryTarget(http, uri, opened, name, environments);
    }

    /// <summary>The URI of the store <see cref="Open"/> opens for these options, without opening it.</summary>
    public static string StoreUri(string repository, string? environment, string? store) => store ?? Locate(repository, environment, null).Uri;

    private static (string Uri, string? Environment, IReadOnlyList<string> Environments, GitOps.Specs.Model.ArtifactStore? Artifacts) Locate(
        string repository, string? environment, string? store)
    {
        if (store is not null)
        {
            return (store, environment, TryEnvironments(repository), null);
        }
        LocalEnvironment target;
        try
        {
            target = LocalEnvironment.Resolve(repository, environment, null, mustBeLocal: false);
        }
        catch (UserError) when (environment is null)
        {
            throw new UserError("name the registry to read: --env ENV (an environment of the repository, whose spec.artifacts.uri is read) " +
                                "or --store URI (a path, file://, http(s):// or s3:// artifact store).");
        }
        var env = target.Environment!;
        var uri = env.Spec.Cluster.Local is not null ? target.State.LocalArtifactUri(ModelVersions.ArtifactStore(env)) : ModelVersions.ArtifactStore(env);
        return (uri, env.Name, [.. target.Load.Specs.Environments.Select(e => e.Name).Order(StringComparer.Ordinal)], env.Spec.Artifacts);
    }

    public void Dispose()
    {
        (Store as IDisposable)?.Dispose();
        _http.Dispose();
    }

    /// <summary>The repository's environments when PATH is a repository, else none (a store read on its own).</summary>
    private static IReadOnlyList<string> TryEnvironments(string repository)
    {
        try
        {
            var files = RepositoryReader.Read(Path.GetFullPath(repository));
            return [.. GitOps.Policy.RepositoryValidator.Validate(files).Specs.Environments.Select(e => e.Name).Order(StringComparer.Ordinal)];
        }
        catch (Exception e) when (e is UserError or IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }
}

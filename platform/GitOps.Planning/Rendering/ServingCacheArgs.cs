using System.Text.Json.Nodes;
using GitOps.Specs.Model;

namespace GitOps.Planning.Rendering;

/// <summary>
/// Tells the server container about its response cache (<c>serving.cache</c>): the store, the memory bound and the
/// time to live as <c>gitops serve</c> options; with Redis, the environment's address, and its password as a file
/// mounted from the Secret (never an argument or an environment variable).
/// </summary>
internal static class ServingCacheArgs
{
    public const string VolumeName = "cache-redis-password";
    public const string MountPath = "/var/run/secrets/gitops/cache";
    public const string FileName = "password";

    public static JsonObject Apply(JsonObject pod, ServingCache? cache, EnvironmentServing? serving)
    {
        if (cache is null)
        {
            return pod;
        }
        var server = (JsonObject)pod["containers"]![0]!;
        var args = new List<string> { "--cache", cache.Store };
        if (cache.Store == CacheStores.Memory && cache.MaxBytes is { } maxBytes)
        {
            args.AddRange(["--cache-max-bytes", maxBytes]);
        }
        if (cache.Ttl is { } ttl)
        {
            args.AddRange(["--cache-ttl", ttl]);
        }
        if (cache.Store == CacheStores.Redis && serving?.CacheRedis is { } redis)
        {
            args.AddRange(["--cache-redis", redis.Address]);
            if (redis.PasswordSecretRef is { } secret)
            {
                args.AddRange(["--cache-redis-password-file", SecretFiles.Mount(pod, VolumeName, MountPath, FileName, secret, [server])]);
            }
        }
        foreach (var arg in args)
        {
            PodSpecJson.Append(server, "args", arg);
        }
        return pod;
    }
}

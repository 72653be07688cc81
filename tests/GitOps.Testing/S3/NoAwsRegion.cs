namespace GitOps.Testing.S3;

/// <summary>
/// Hides every place the AWS SDK's region chain looks in the process (the region variables, the profile and its
/// config file, instance metadata) until disposed, so a test of "no region configured" does not depend on the
/// developer's shell or <c>~/.aws/config</c>. The SDK reads the process itself, not a command's isolated variables:
/// use it only in a collection that runs alone.
/// </summary>
public sealed class NoAwsRegion : IDisposable
{
    private static readonly string[] Hidden = ["AWS_REGION", "AWS_DEFAULT_REGION", "AWS_PROFILE", "AWS_DEFAULT_PROFILE"];

    private readonly Dictionary<string, string?> _saved;
    private readonly string _folder = Directory.CreateTempSubdirectory("gitops-no-aws-region-").FullName;

    public NoAwsRegion()
    {
        _saved = Hidden.Concat(["AWS_CONFIG_FILE", "AWS_EC2_METADATA_DISABLED"])
            .ToDictionary(name => name, Environment.GetEnvironmentVariable, StringComparer.Ordinal);
        foreach (var name in Hidden)
        {
            Environment.SetEnvironmentVariable(name, null);
        }
        Environment.SetEnvironmentVariable("AWS_CONFIG_FILE", Path.Combine(_folder, "config"));
        Environment.SetEnvironmentVariable("AWS_EC2_METADATA_DISABLED", "true");
    }

    public void Dispose()
    {
        foreach (var (name, value) in _saved)
        {
            Environment.SetEnvironmentVariable(name, value);
        }
        Directory.Delete(_folder, recursive: true);
    }
}

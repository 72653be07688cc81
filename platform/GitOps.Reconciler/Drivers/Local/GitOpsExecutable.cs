using System.Collections.Immutable;
using System.Reflection;

namespace GitOps.Reconciler.Drivers.Local;

/// <summary>
/// How to start the <c>gitops</c> executable that is running now, for the processes the Local driver starts
/// (trainers, inference servers): the apphost itself, or <c>dotnet gitops.dll</c> when run through <c>dotnet</c>.
/// </summary>
public sealed record GitOpsExecutable(string FileName, ImmutableArray<string> LeadingArguments)
{
    /// <summary>The entry assembly of this process.</summary>
    public static GitOpsExecutable Current()
    {
        var process = Environment.ProcessPath ?? throw new InvalidOperationException("the path of the running executable is unknown");
        // Empty in the single-file executable, which is then started as it is (the apphost case below).
#pragma warning disable IL3000
        var entry = Assembly.GetEntryAssembly()?.Location;
#pragma warning restore IL3000
        return Path.GetFileNameWithoutExtension(process) == "dotnet" && !string.IsNullOrEmpty(entry)
            ? new GitOpsExecutable(process, [entry])
            : new GitOpsExecutable(process, []);
    }

    /// <summary><c>dotnet path/to/gitops.dll</c>.</summary>
    public static GitOpsExecutable FromAssembly(string gitopsDll) => new("dotnet", [gitopsDll]);
}

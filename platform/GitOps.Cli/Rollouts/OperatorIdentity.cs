using GitOps.Cli.Conventions;

namespace GitOps.Cli.Rollouts;

/// <summary>Who gives an operator command: <c>--actor</c>, else <c>GITOPS_ACTOR</c>, else the login name
/// (<c>USER</c>/<c>USERNAME</c>, else the operating system's user).</summary>
public static class OperatorIdentity
{
    public const string Variable = "GITOPS_ACTOR";

    public static string Resolve(string? actor)
    {
        var environment = CliEnvironment.Current;
        var name = actor ?? environment.Get(Variable) ?? environment.Get("USER") ?? environment.Get("USERNAME") ?? Environment.UserName;
        return string.IsNullOrWhiteSpace(name) ? "unknown" : name.Trim();
    }
}

namespace GitOps.Planning.Monitoring;

/// <summary>
/// Every rendered alert links its section of <c>docs/runbooks.md</c>: a heading named after the alert, whose anchor is
/// the name in lower case. The base defaults to the repository path; an environment's <c>prometheus.runbookUrl</c>
/// points it at the page as the team reads it.
/// </summary>
public static class Runbooks
{
    public const string DefaultBase = "docs/runbooks.md";

    public static string Url(string @base, string alert) => $"{@base}#{alert.ToLowerInvariant()}";
}

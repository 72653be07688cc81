namespace GitOps.Cli.Conventions;

/// <summary>
/// A <c>GITOPS_*</c> variable that stands for an option with a fixed set of values (<c>GITOPS_OUTPUT_FORMAT</c> for
/// <c>-o</c>, <c>GITOPS_SERVING_FAULT_TRACK</c> for <c>--fault-track</c>): read in any case, as a CI file may write
/// <c>JSON</c> or <c>Canary</c>; a value that is none of them is a usage error naming the variable, never ignored.
/// </summary>
public static class EnvironmentChoices
{
    /// <summary>The value of <paramref name="variable"/> as <paramref name="allowed"/> spells it; null when it is unset or
    /// none of them.</summary>
    public static string? Get(string variable, IEnumerable<string> allowed) =>
        CliEnvironment.Current.Get(variable) is { } value
            ? allowed.FirstOrDefault(a => string.Equals(a, value, StringComparison.OrdinalIgnoreCase))
            : null;

    /// <summary>Why the value of <paramref name="variable"/> is none of <paramref name="allowed"/>, or null when it is unset
    /// or one of them.</summary>
    public static string? Problem(string variable, IReadOnlyList<string> allowed) =>
        CliEnvironment.Current.Get(variable) is { } value && Get(variable, allowed) is null
            ? $"{variable} is '{value}', which is not one of {string.Join(", ", allowed)}; set it to one of them, or unset it."
            : null;
}

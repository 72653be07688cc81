namespace GitOps.Cli.Conventions;

/// <summary>
/// What a <c>gitops</c> invocation reads from its process besides the arguments: environment variables, standard
/// input and whether its output streams are terminals. The real process uses <see cref="FromProcess"/>; tests pass
/// their own, so that in-process runs in parallel never share process-wide state.
/// </summary>
public sealed record CliEnvironment
{
    private static readonly AsyncLocal<CliEnvironment?> CurrentInvocation = new();

    public required Func<string, string?> Variable { get; init; }
    public required Func<TextReader> StandardInput { get; init; }
    public required bool OutputIsTerminal { get; init; }
    public required bool ErrorIsTerminal { get; init; }

    /// <summary>The environment of the invocation in progress (the process's own outside of one).</summary>
    public static CliEnvironment Current => CurrentInvocation.Value ?? FromProcess();

    public static CliEnvironment FromProcess() => new()
    {
        Variable = Environment.GetEnvironmentVariable,
        StandardInput = () => Console.In,
        OutputIsTerminal = !Console.IsOutputRedirected,
        ErrorIsTerminal = !Console.IsErrorRedirected,
    };

    /// <summary>A detached environment: the given variables only, empty standard input, no terminal.</summary>
    public static CliEnvironment Isolated(IReadOnlyDictionary<string, string>? variables = null, string stdin = "") => new()
    {
        Variable = name => variables is not null && variables.TryGetValue(name, out var v) ? v : null,
        StandardInput = () => new StringReader(stdin),
        OutputIsTerminal = false,
        ErrorIsTerminal = false,
    };

    /// <summary>The variable's value, or null when it is unset or empty.</summary>
    public string? Get(string name) => Variable(name) is { Length: > 0 } value ? value : null;

    internal IDisposable Enter()
    {
        var previous = CurrentInvocation.Value;
        CurrentInvocation.Value = this;
        return new Scope(previous);
    }

    private sealed class Scope(CliEnvironment? previous) : IDisposable
    {
        public void Dispose() => CurrentInvocation.Value = previous;
    }
}

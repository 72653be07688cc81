namespace GitOps.Cli.Output;

/// <summary>Decides whether output may use ANSI colour: only on a terminal, never when NO_COLOR is set.</summary>
public static class Terminal
{
    public static bool ColorEnabled(TextWriter writer)
    {
        if (Environment.GetEnvironmentVariable("NO_COLOR") is { Length: > 0 })
        {
            return false;
        }
        if (Environment.GetEnvironmentVariable("GITOPS_FORCE_COLOR") is { Length: > 0 })
        {
            return true;
        }
        if (Environment.GetEnvironmentVariable("TERM") == "dumb")
        {
            return false;
        }
        return ReferenceEquals(writer, Console.Out) ? !Console.IsOutputRedirected
            : ReferenceEquals(writer, Console.Error) && !Console.IsErrorRedirected;
    }

    public static string Paint(string text, string ansiCode, bool color) =>
        color ? $"\u001b[{ansiCode}m{text}\u001b[0m" : text;

    public const string Red = "31;1";
    public const string Yellow = "33;1";
    public const string Green = "32;1";
    public const string Cyan = "36";
    public const string Bold = "1";
    public const string Dim = "2";
}

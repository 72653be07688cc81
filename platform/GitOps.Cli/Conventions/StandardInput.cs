
namespace GitOps.Cli.Conventions;

/// <summary>Reads a file named on the command line, where <c>-</c> means standard input (<c>--live -</c>).</summary>
public static class StandardInput
{
    public const string Name = "-";

    public static bool IsStandardInput(string path) => path == Name;

    /// <summary>The bytes of <paramref name="path"/>, or of standard input for <c>-</c>.</summary>
    public static byte[] ReadAllBytes(string path)
    {
        if (!IsStandardInput(path))
        {
            return File.ReadAllBytes(path);
        }
        var text = CliEnvironment.Current.StandardInput().ReadToEnd();
        return System.Text.Encoding.UTF8.GetBytes(text);
    }

    /// <summary>How to name the input in messages: the path, or "standard input".</summary>
    public static string Describe(string path) => IsStandardInput(path) ? "standard input" : path;
}

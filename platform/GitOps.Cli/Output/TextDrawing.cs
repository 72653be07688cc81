using System.Globalization;
using System.Text;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace GitOps.Cli.Output;

/// <summary>
/// The pieces the read-only views of the registry (<c>gitops models</c>, <c>gitops experiments</c>) share: a Spectre
/// renderable drawn to text (colour only when asked, 200 columns so tables never wrap into a pipe), an indented
/// "label value" line, and one UTC time format.
/// </summary>
public static class TextDrawing
{
    public static string Draw(IRenderable renderable, bool color)
    {
        using var writer = new StringWriter { NewLine = "\n" };
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(writer),
            Ansi = color ? AnsiSupport.Yes : AnsiSupport.No,
            ColorSystem = color ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
        });
        console.Profile.Width = 200;
        console.Write(renderable);
        return writer.ToString();
    }

    public static void Line(StringBuilder text, string label, string value) => text.Append(CultureInfo.InvariantCulture, $"  {label,-9} {value}\n");

    public static string Time(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}

using System.Collections.Frozen;
using GitOps.Planning.Formatting;
using Spectre.Console;

namespace GitOps.Cli.Output;

/// <summary>
/// Colours text with the escape sequences Spectre.Console writes for each <see cref="TextStyle"/>. The sequences are
/// asked from Spectre once per style and reused, so that a plan of thousands of lines is not rendered segment by
/// segment through a console.
/// </summary>
public static class AnsiPainter
{
    public static readonly TextPainter Instance = Create();

    public static Style StyleOf(TextStyle style) => style switch
    {
        TextStyle.Heading => new Style(decoration: Decoration.Bold),
        TextStyle.Added => new Style(Color.Green),
        TextStyle.Changed => new Style(Color.Yellow),
        TextStyle.Removed => new Style(Color.Red),
        TextStyle.Muted => new Style(decoration: Decoration.Dim),
        TextStyle.Error => new Style(Color.Red, decoration: Decoration.Bold),
        TextStyle.Warning => new Style(Color.Yellow, decoration: Decoration.Bold),
        TextStyle.Info => new Style(Color.Teal),
        TextStyle.Success => new Style(Color.Green, decoration: Decoration.Bold),
        _ => Style.Plain,
    };

    private static TextPainter Create()
    {
        var marks = Enum.GetValues<TextStyle>().ToFrozenDictionary(s => s, s => Marks(StyleOf(s)));
        return (style, text) => text.Length == 0 ? text : marks[style].Start + text + marks[style].End;
    }

    private static (string Start, string End) Marks(Style style)
    {
        const string Probe = "X";
        using var buffer = new StringWriter();
        var capabilities = AnsiCapabilities.Create(buffer, new AnsiWriterSettings { Ansi = AnsiSupport.Yes, ColorSystem = ColorSystemSupport.Standard });
        new AnsiWriter(buffer, capabilities).Write(Probe, style, null!);
        var written = buffer.ToString();
        var at = written.IndexOf(Probe, StringComparison.Ordinal);
        return (written[..at], written[(at + Probe.Length)..]);
    }
}

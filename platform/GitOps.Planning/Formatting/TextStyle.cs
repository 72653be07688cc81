namespace GitOps.Planning.Formatting;

/// <summary>What a piece of human-readable output is, so that a terminal can colour it; plain text ignores it.</summary>
public enum TextStyle
{
    Heading,
    Added,
    Changed,
    Removed,
    Muted,
    Error,
    Warning,
    Info,
    Success,
}

/// <summary>Wraps <paramref name="text"/> in whatever marks <paramref name="style"/> (ANSI colour on a terminal).</summary>
public delegate string TextPainter(TextStyle style, string text);

/// <summary>The painter of plain text: returns the text unchanged.</summary>
public static class PlainText
{
    public static readonly TextPainter Painter = (_, text) => text;
}

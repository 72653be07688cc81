using System.Globalization;
using System.Text;

namespace GitOps.Specs.Diagnostics;

/// <summary>
/// Text from a repository (spec values, file names, source lines) made safe to print on a terminal: a control
/// character in a spec (an escape sequence, a bell, a newline inside a quoted value) must not move the cursor, retitle
/// the window or split a <c>file:line:col</c> line in two.
/// </summary>
public static class TerminalText
{
    /// <summary>Control characters written as escapes (<c>\n</c>, <c>\t</c>, <c>\x1b</c>): for messages.</summary>
    public static string Escaped(string text)
    {
        if (!HasControl(text))
        {
            return text;
        }
        var sb = new StringBuilder(text.Length + 8);
        foreach (var c in text)
        {
            _ = c switch
            {
                '\n' => sb.Append("\\n"),
                '\r' => sb.Append("\\r"),
                '\t' => sb.Append("\\t"),
                _ when char.IsControl(c) => sb.Append(CultureInfo.InvariantCulture, $"\\x{(int)c:x2}"),
                _ => sb.Append(c),
            };
        }
        return sb.ToString();
    }

    /// <summary>Each control character replaced by one visible one (a tab by a space, others by U+FFFD), so that
    /// columns stay where they were: for source lines with a caret under them.</summary>
    public static string SameWidth(string text) =>
        HasControl(text) ? string.Create(text.Length, text, static (span, t) =>
        {
            for (var i = 0; i < t.Length; i++)
            {
                span[i] = t[i] == '\t' ? ' ' : char.IsControl(t[i]) ? '\uFFFD' : t[i];
            }
        }) : text;

    /// <summary>The columns <paramref name="text"/> takes on a terminal: East Asian wide and fullwidth characters
    /// (CJK, Hangul, fullwidth forms, most emoji) take two, combining marks and format characters none, a surrogate
    /// pair one character. The caret under a source line is placed by it, not by the count of UTF-16 units.</summary>
    public static int Width(ReadOnlySpan<char> text)
    {
        var width = 0;
        foreach (var rune in text.EnumerateRunes())
        {
            width += Width(rune);
        }
        return width;
    }

    private static int Width(Rune rune)
    {
        var category = Rune.GetUnicodeCategory(rune);
        if (category is UnicodeCategory.NonSpacingMark or UnicodeCategory.EnclosingMark or UnicodeCategory.Format
            || rune.Value is >= 0x1160 and <= 0x11FF)
        {
            return 0;
        }
        return IsWide(rune.Value) ? 2 : 1;
    }

    // The East Asian Wide (W) and Fullwidth (F) blocks of Unicode's EastAsianWidth.txt, by block.
    private static bool IsWide(int c) => c >= 0x1100 && (
        c <= 0x115F
        || c is >= 0x231A and <= 0x231B or >= 0x2329 and <= 0x232A or >= 0x23E9 and <= 0x23EC or 0x23F0 or 0x23F3
        || c is >= 0x25FD and <= 0x25FE or >= 0x2614 and <= 0x2615 or >= 0x2648 and <= 0x2653 or 0x267F or 0x2693
        || c is 0x26A1 or >= 0x26AA and <= 0x26AB or >= 0x26BD and <= 0x26BE or >= 0x26C4 and <= 0x26C5 or 0x26CE
        || c is 0x26D4 or 0x26EA or >= 0x26F2 and <= 0x26F3 or 0x26F5 or 0x26FA or 0x26FD or 0x2705
        || c is >= 0x270A and <= 0x270B or 0x2728 or 0x274C or 0x274E or >= 0x2753 and <= 0x2755 or 0x2757
        || c is >= 0x2795 and <= 0x2797 or 0x27B0 or 0x27BF or >= 0x2B1B and <= 0x2B1C or 0x2B50 or 0x2B55
        || c is >= 0x2E80 and <= 0x303E or >= 0x3041 and <= 0x33FF or >= 0x3400 and <= 0x4DBF or >= 0x4E00 and <= 0x9FFF
        || c is >= 0xA000 and <= 0xA4CF or >= 0xA960 and <= 0xA97F or >= 0xAC00 and <= 0xD7A3 or >= 0xF900 and <= 0xFAFF
        || c is >= 0xFE10 and <= 0xFE19 or >= 0xFE30 and <= 0xFE6F or >= 0xFF00 and <= 0xFF60 or >= 0xFFE0 and <= 0xFFE6
        || c is >= 0x16FE0 and <= 0x18CFF or >= 0x1AFF0 and <= 0x1B2FF or 0x1F004 or 0x1F0CF or 0x1F18E
        || c is >= 0x1F191 and <= 0x1F19A or >= 0x1F200 and <= 0x1F251 or >= 0x1F300 and <= 0x1F64F
        || c is >= 0x1F680 and <= 0x1F6FF or >= 0x1F7E0 and <= 0x1F7EB or >= 0x1F90C and <= 0x1F9FF
        || c is >= 0x1FA70 and <= 0x1FAFF or >= 0x20000 and <= 0x3FFFD);

    private static bool HasControl(string text)
    {
        foreach (var c in text)
        {
            if (char.IsControl(c))
            {
                return true;
            }
        }
        return false;
    }
}

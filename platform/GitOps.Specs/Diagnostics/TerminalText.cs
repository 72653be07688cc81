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

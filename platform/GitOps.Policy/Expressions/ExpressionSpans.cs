using GitOps.Specs.Diagnostics;
using GitOps.Specs.Model;

namespace GitOps.Policy.Expressions;

/// <summary>Maps an offset inside an expression or query to the file position of the YAML scalar holding it.</summary>
public static class ExpressionSpans
{
    /// <summary>
    /// The span of the character at <paramref name="column"/> (0-based) of <paramref name="text"/>, the value at
    /// <paramref name="path"/>. Plain and quoted one-line scalars map exactly; block scalars point at the value.
    /// </summary>
    public static SourceSpan At(SpecOrigin origin, string path, string text, int column)
    {
        var value = origin.Value(path);
        if (value.Line != value.EndLine || text.Contains('\n'))
        {
            return value;
        }
        var width = value.EndColumn - value.Column;
        var offset = width == text.Length ? column : width == text.Length + 2 ? column + 1 : -1;
        if (offset < 0 || column < 0 || column > text.Length)
        {
            return value;
        }
        return new SourceSpan(value.File, value.Line, value.Column + offset, value.Line, value.Column + offset + 1);
    }
}

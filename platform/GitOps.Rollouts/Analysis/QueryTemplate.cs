using System.Text;
using GitOps.Specs.Contracts;

namespace GitOps.Rollouts.Analysis;

/// <summary>The values substituted into an analysis query for one measurement.</summary>
public sealed record QueryValues(string Model, string Version, string Namespace, string Track, string Environment)
{
    public string? Get(string placeholder) => placeholder switch
    {
        "model" => Model,
        "version" => Version,
        "namespace" => Namespace,
        "track" => Track,
        "environment" => Environment,
        _ => null,
    };
}

/// <summary>
/// Fills <c>{{model}} {{version}} {{namespace}} {{track}} {{environment}}</c> into a PromQL template. A value inside a
/// quoted string (a label matcher such as <c>model="{{model}}"</c>) is escaped for that string's quote, so no value
/// can end the string or change the query; a value outside a string must be a plain name.
/// </summary>
public static class QueryTemplate
{
    /// <summary>The query the reconciler asks for the number of requests of a window, for <c>minSamples</c>.</summary>
    public const string SamplesQuery =
        "sum(increase(" + InferenceMetrics.RequestsTotal + "{model=\"{{model}}\",version=\"{{version}}\",track=\"{{track}}\"}[{{window}}]))";

    /// <summary>The rendered query, or the reason it cannot be rendered.</summary>
    public static (string? Query, string? Error) Render(string template, QueryValues values, string? window = null)
    {
        if (string.IsNullOrWhiteSpace(template))
        {
            // A template that names a KPI the model lacks (refused by validation as GITOPS0233) has no query.
            return (null, "the query is empty");
        }
        var output = new StringBuilder(template.Length + 32);
        char? quote = null;
        for (var i = 0; i < template.Length; i++)
        {
            var c = template[i];
            if (c == '{' && i + 1 < template.Length && template[i + 1] == '{')
            {
                var end = template.IndexOf("}}", i + 2, StringComparison.Ordinal);
                if (end < 0)
                {
                    return (null, $"placeholder at column {i + 1} is never closed with '}}}}'");
                }
                var name = template[(i + 2)..end].Trim();
                var value = name == "window" && window is not null ? window : values.Get(name);
                if (value is null)
                {
                    return (null, $"unknown placeholder '{{{{{name}}}}}'");
                }
                if (quote is { } q)
                {
                    output.Append(Escape(value, q));
                }
                else if (value.All(ch => char.IsAsciiLetterOrDigit(ch) || ch is '_' or ':' or '.' or '-'))
                {
                    output.Append(value);
                }
                else
                {
                    return (null, $"the value of '{{{{{name}}}}}' ('{value}') is not a plain name, so it can only be used inside a quoted string such as name=\"{{{{{name}}}}}\"");
                }
                i = end + 1;
                continue;
            }
            output.Append(c);
            if (quote is { } open)
            {
                if (c == '\\' && open != '`' && i + 1 < template.Length)
                {
                    output.Append(template[++i]);
                }
                else if (c == open)
                {
                    quote = null;
                }
            }
            else if (c is '"' or '\'' or '`')
            {
                quote = c;
            }
        }
        return (output.ToString(), null);
    }

    /// <summary>Escapes a value for a PromQL string opened with <paramref name="quote"/> (Go string escapes).</summary>
    public static string Escape(string value, char quote)
    {
        if (quote == '`')
        {
            // A raw string has no escapes; a backtick cannot appear in it at all.
            return value.Replace("`", "", StringComparison.Ordinal);
        }
        var sb = new StringBuilder(value.Length + 8);
        foreach (var c in value)
        {
            switch (c)
            {
                case '\\':
                    sb.Append(@"\\");
                    break;
                case '\n':
                    sb.Append(@"\n");
                    break;
                case '\r':
                    sb.Append(@"\r");
                    break;
                case '\t':
                    sb.Append(@"\t");
                    break;
                default:
                    if (c == quote)
                    {
                        sb.Append('\\');
                    }
                    sb.Append(c);
                    break;
            }
        }
        return sb.ToString();
    }
}

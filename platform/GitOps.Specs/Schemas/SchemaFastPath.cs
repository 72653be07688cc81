using System.Collections.Concurrent;
using GitOps.Specs.Yaml;
using Newtonsoft.Json.Linq;

namespace GitOps.Specs.Schemas;

/// <summary>
/// A conservative, allocation-free check of a document tree against its kind's schema. It answers
/// <see langword="true"/> only for documents the full validator would accept with no error (and the finiteness
/// pass would not flag); on any doubt — an error, a keyword it does not model, a value whose meaning it does not
/// reproduce exactly — it answers <see langword="false"/> and the caller runs the full validator, which produces the
/// diagnostics. Valid documents, the common case, thus skip the JSON conversion and the general validator.
/// </summary>
internal static class SchemaFastPath
{
    private static readonly ConcurrentDictionary<string, Lazy<Node>> Compiled = new(StringComparer.Ordinal);

    public static bool IsValid(string kind, YMapping document) =>
        Compiled.GetOrAdd(kind, k => new Lazy<Node>(() => Compile(SpecSchemas.Of(k)))).Value.Accepts(document);

    [Flags]
    private enum Types
    {
        None = 0,
        String = 1,
        Integer = 2,
        Number = 4,
        Boolean = 8,
        Object = 16,
        Array = 32,
    }

    private static readonly HashSet<string> Annotations = new(StringComparer.Ordinal) { "description", "default", "title", "$schema" };

    private static Node Compile(JObject schema)
    {
        var node = new Node();
        foreach (var p in schema.Properties())
        {
            switch (p.Name)
            {
                case var a when Annotations.Contains(a):
                    break;
                case "type":
                    node.Types = p.Value switch
                    {
                        JValue { Value: string t } => TypeOf(t),
                        JArray arr => arr.Aggregate(Types.None, (acc, t) => acc | (t is JValue { Value: string s } ? TypeOf(s) : Types.None)),
                        _ => Types.None,
                    };
                    break;
                case "properties" when p.Value is JObject props:
                    node.Properties = new Dictionary<string, Node>(StringComparer.Ordinal);
                    foreach (var prop in props.Properties())
                    {
                        if (prop.Value is not JObject ps)
                        {
                            node.Unsupported = true;
                            break;
                        }
                        node.Properties[prop.Name] = Compile(ps);
                    }
                    break;
                case "required" when p.Value is JArray req && req.All(r => r is JValue { Value: string }):
                    node.Required = req.Select(r => (string)((JValue)r).Value!).ToArray();
                    break;
                case "additionalProperties" when p.Value is JValue { Value: false }:
                    node.NoAdditional = true;
                    break;
                case "additionalProperties" when p.Value is JObject additional:
                    node.Additional = Compile(additional);
                    break;
                case "enum" when p.Value is JArray values && values.All(v => v is JValue { Value: string }):
                    node.Enum = new HashSet<string>(values.Select(v => (string)((JValue)v).Value!), StringComparer.Ordinal);
                    break;
                case "minimum" when Number(p.Value) is { } min:
                    node.Minimum = min;
                    break;
                case "maximum" when Number(p.Value) is { } max:
                    node.Maximum = max;
                    break;
                case "minLength" when Integer(p.Value) is { } n:
                    node.MinLength = n;
                    break;
                case "maxLength" when Integer(p.Value) is { } n:
                    node.MaxLength = n;
                    break;
                case "pattern" when p.Value is JValue { Value: string pattern } && PatternCheck(pattern) is { } check:
                    node.Pattern = check;
                    break;
                case "minItems" when Integer(p.Value) is { } n:
                    node.MinItems = n;
                    break;
                case "uniqueItems" when p.Value is JValue { Value: bool u }:
                    node.UniqueItems = u;
                    break;
                case "items" when p.Value is JObject items:
                    node.Items = Compile(items);
                    break;
                case "oneOf" when p.Value is JArray choices && choices.All(c => c is JObject { Count: 1 } o && o["required"] is JArray { Count: 1 } r && r[0] is JValue { Value: string }):
                    // SchemaDsl.OneRequired: exactly one of these properties is present.
                    node.OneOfRequired = [.. choices.Select(c => (string)((JValue)c["required"]![0]!).Value!)];
                    break;
                case "minProperties" when Integer(p.Value) is { } n:
                    node.MinProperties = n;
                    break;
                case "maxProperties" when Integer(p.Value) is { } n:
                    node.MaxProperties = n;
                    break;
                default:
                    // A keyword (or a form of one) this check does not model: always defer to the full validator.
                    node.Unsupported = true;
                    break;
            }
        }
        if (node.Types == Types.None)
        {
            node.Unsupported = true;
        }
        return node;
    }

    private static Types TypeOf(string name) => name switch
    {
        "string" => Types.String,
        "integer" => Types.Integer,
        "number" => Types.Number,
        "boolean" => Types.Boolean,
        "object" => Types.Object,
        "array" => Types.Array,
        _ => Types.None,
    };

    private static long? Integer(JToken token) => token is JValue { Type: JTokenType.Integer, Value: var v }
        ? Convert.ToInt64(v, System.Globalization.CultureInfo.InvariantCulture)
        : null;

    private static double? Number(JToken token) => token switch
    {
        JValue { Type: JTokenType.Integer } v => Integer(v),
        JValue { Value: double d } when double.IsFinite(d) => d,
        _ => null,
    };

    private sealed class Node
    {
        public bool Unsupported { get; set; }
        public Types Types { get; set; }
        public Dictionary<string, Node>? Properties { get; set; }
        public string[] Required { get; set; } = [];
        public bool NoAdditional { get; set; }
        public Node? Additional { get; set; }
        public HashSet<string>? Enum { get; set; }
        public double? Minimum { get; set; }
        public double? Maximum { get; set; }
        public long? MinLength { get; set; }
        public long? MaxLength { get; set; }
        public Func<string, bool>? Pattern { get; set; }
        public long? MinItems { get; set; }
        public bool UniqueItems { get; set; }
        public Node? Items { get; set; }
        public long? MinProperties { get; set; }
        public long? MaxProperties { get; set; }
        public string[] OneOfRequired { get; set; } = [];

        public bool Accepts(YNode node)
        {
            if (Unsupported)
            {
                return false;
            }
            return node.Resolved switch
            {
                YMapping m => (Types & Types.Object) != 0 && AcceptsMapping(m),
                YSequence s => (Types & Types.Array) != 0 && AcceptsSequence(s),
                YScalar sc => AcceptsScalar(sc.Value),
                _ => false,
            };
        }

        private bool AcceptsMapping(YMapping m)
        {
            var count = m.Entries.Count;
            if (count < MinProperties || count > MaxProperties)
            {
                return false;
            }
            foreach (var required in Required)
            {
                if (m.Find(required) is null)
                {
                    return false;
                }
            }
            if (OneOfRequired.Length > 0 && OneOfRequired.Count(name => m.Find(name) is not null) != 1)
            {
                return false;
            }
            foreach (var entry in m.Entries)
            {
                Node? child = null;
                if (Properties is not null && Properties.TryGetValue(entry.Key.Text, out var declared))
                {
                    child = declared;
                }
                else if (NoAdditional)
                {
                    return false;
                }
                else
                {
                    child = Additional;
                }
                // A property neither declared nor constrained: any value passes, but keep the finiteness rule.
                if (child is null ? !AnyFinite(entry.Value) : !child.Accepts(entry.Value))
                {
                    return false;
                }
            }
            return true;
        }

        private bool AcceptsSequence(YSequence s)
        {
            if (s.Items.Count < MinItems)
            {
                return false;
            }
            foreach (var item in s.Items)
            {
                if (Items is null ? !AnyFinite(item) : !Items.Accepts(item))
                {
                    return false;
                }
            }
            if (UniqueItems && s.Items.Count > 1)
            {
                // Only lists of strings are compared here; anything else goes to the full validator.
                var seen = new HashSet<string>(s.Items.Count, StringComparer.Ordinal);
                foreach (var item in s.Items)
                {
                    if (item.Resolved is not YScalar { Value: string text } || !seen.Add(text))
                    {
                        return false;
                    }
                }
            }
            return true;
        }

        private bool AcceptsScalar(object? value)
        {
            switch (value)
            {
                case string text:
                    if ((Types & Types.String) == 0)
                    {
                        return false;
                    }
                    if (Enum is not null && !Enum.Contains(text))
                    {
                        return false;
                    }
                    if ((MinLength is not null || MaxLength is not null) && !LengthWithin(text))
                    {
                        return false;
                    }
                    return Pattern is null || Pattern(text);
                case long l:
                    if ((Types & (Types.Integer | Types.Number)) == 0 || Enum is not null)
                    {
                        return false;
                    }
                    return (Minimum is null || l >= Minimum) && (Maximum is null || l <= Maximum);
                case double d:
                    if ((Types & Types.Number) == 0 || Enum is not null || !double.IsFinite(d))
                    {
                        return false;
                    }
                    return (Minimum is null || d >= Minimum) && (Maximum is null || d <= Maximum);
                case bool:
                    return (Types & Types.Boolean) != 0 && Enum is null;
                default:
                    return false;
            }
        }

        private bool LengthWithin(string text)
        {
            // Lengths are compared only for ASCII text, where every way of counting characters agrees.
            foreach (var c in text)
            {
                if (c > 0x7F)
                {
                    return false;
                }
            }
            return !(text.Length < MinLength) && !(text.Length > MaxLength);
        }
    }

    /// <summary>Whether an unconstrained value holds only finite numbers.</summary>
    private static bool AnyFinite(YNode node) => node.Resolved switch
    {
        YScalar { Value: double d } => double.IsFinite(d),
        YScalar => true,
        _ => false,
    };

    /// <summary>
    /// Hand-written equivalents of the schema patterns, as strict as the pattern or stricter (no trailing line
    /// break, which '$' would also allow); <see langword="null"/> for a pattern not modelled here.
    /// </summary>
    private static Func<string, bool>? PatternCheck(string pattern) => pattern switch
    {
        SchemaDsl.DnsLabelPattern => IsDnsLabel,
        "^[0-9a-f]{64}$" => IsSha256,
        "^[A-Za-z0-9-]+$" => s => s.Length > 0 && s.All(c => char.IsAsciiLetterOrDigit(c) || c == '-'),
        "^https?://" => s => s.StartsWith("http://", StringComparison.Ordinal) || s.StartsWith("https://", StringComparison.Ordinal),
        _ => null,
    };

    private static bool IsSha256(string text)
    {
        if (text.Length != 64)
        {
            return false;
        }
        foreach (var c in text)
        {
            if (!(c is >= '0' and <= '9' or >= 'a' and <= 'f'))
            {
                return false;
            }
        }
        return true;
    }

    // ^[a-z0-9]([-a-z0-9]*[a-z0-9])?$
    private static bool IsDnsLabel(string text)
    {
        if (text.Length == 0 || text[0] == '-' || text[^1] == '-')
        {
            return false;
        }
        foreach (var c in text)
        {
            if (!(c is >= 'a' and <= 'z' or >= '0' and <= '9' or '-'))
            {
                return false;
            }
        }
        return true;
    }
}

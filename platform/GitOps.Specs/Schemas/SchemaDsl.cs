using Newtonsoft.Json.Linq;

namespace GitOps.Specs.Schemas;

/// <summary>
/// A tiny builder for the JSON Schemas of the spec kinds. Only keywords NJsonSchema enforces are used:
/// type, properties, required, additionalProperties, enum, minimum/maximum, minLength/maxLength, pattern,
/// minItems, uniqueItems, minProperties/maxProperties. <c>description</c> and <c>default</c> only annotate.
/// </summary>
internal static class SchemaDsl
{
    public const string DnsLabelPattern = "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$";

    public sealed record Prop(string Name, JObject Schema, bool Required);

    public static Prop P(string name, JObject schema) => new(name, schema, false);

    public static Prop R(string name, JObject schema) => new(name, schema, true);

    public static JObject Obj(string description, params Prop[] props)
    {
        var properties = new JObject();
        foreach (var p in props)
        {
            properties[p.Name] = p.Schema;
        }
        var o = new JObject
        {
            ["type"] = "object",
            ["description"] = description,
            ["additionalProperties"] = false,
            ["properties"] = properties,
        };
        var required = props.Where(p => p.Required).Select(p => p.Name).ToArray();
        if (required.Length > 0)
        {
            o["required"] = new JArray(required);
        }
        return o;
    }

    /// <summary>An object with exactly one of its properties set.</summary>
    public static JObject OneKey(string description, params Prop[] props)
    {
        var o = Obj(description, props);
        o["minProperties"] = 1;
        o["maxProperties"] = 1;
        return o;
    }

    /// <summary><paramref name="schema"/> (an object) with exactly one of the properties <paramref name="names"/> set
    /// (<c>oneOf</c> of <c>required</c>, which NJsonSchema enforces; reported as GITOPS0107).</summary>
    public static JObject OneRequired(JObject schema, params string[] names)
    {
        schema["oneOf"] = new JArray(names.Select(n => new JObject { ["required"] = new JArray(n) }));
        return schema;
    }

    public static JObject Map(string description, JObject values) => new()
    {
        ["type"] = "object",
        ["description"] = description,
        ["additionalProperties"] = values,
    };

    public static JObject Str(string description, string? pattern = null, int? minLength = null, int? maxLength = null, string? @default = null)
    {
        var o = new JObject { ["type"] = "string", ["description"] = description };
        if (pattern is not null)
        {
            o["pattern"] = pattern;
        }
        if (minLength is not null)
        {
            o["minLength"] = minLength;
        }
        if (maxLength is not null)
        {
            o["maxLength"] = maxLength;
        }
        if (@default is not null)
        {
            o["default"] = @default;
        }
        return o;
    }

    /// <summary>A DNS-1123 label: lowercase letters, digits and '-', at most 63 characters.</summary>
    public static JObject Name(string description) => Str(description, DnsLabelPattern, 1, 63);

    public static JObject Enum(string description, IEnumerable<string> values, string? @default = null)
    {
        var o = new JObject { ["type"] = "string", ["description"] = description, ["enum"] = new JArray(values.ToArray()) };
        if (@default is not null)
        {
            o["default"] = @default;
        }
        return o;
    }

    public static JObject Int(string description, long? min = null, long? max = null, long? @default = null) =>
        Numeric("integer", description, min, max, @default);

    public static JObject Num(string description, double? min = null, double? max = null, double? @default = null)
    {
        var o = new JObject { ["type"] = "number", ["description"] = description };
        if (min is not null)
        {
            o["minimum"] = min;
        }
        if (max is not null)
        {
            o["maximum"] = max;
        }
        if (@default is not null)
        {
            o["default"] = @default;
        }
        return o;
    }

    private static JObject Numeric(string type, string description, long? min, long? max, long? @default)
    {
        var o = new JObject { ["type"] = type, ["description"] = description };
        o["minimum"] = min ?? int.MinValue;
        o["maximum"] = max ?? int.MaxValue;
        if (@default is not null)
        {
            o["default"] = @default;
        }
        return o;
    }

    public static JObject Bool(string description, bool? @default = null)
    {
        var o = new JObject { ["type"] = "boolean", ["description"] = description };
        if (@default is not null)
        {
            o["default"] = @default;
        }
        return o;
    }

    /// <summary>A string or a number (Kubernetes quantities such as <c>2</c> or <c>500m</c>).</summary>
    public static JObject StrOrNum(string description) =>
        new() { ["type"] = new JArray("string", "number"), ["description"] = description };

    /// <summary>Any scalar: string, number or boolean.</summary>
    public static JObject Scalar(string description) =>
        new() { ["type"] = new JArray("string", "number", "boolean"), ["description"] = description };

    public static JObject Arr(string description, JObject items, int? minItems = null, bool unique = false)
    {
        var o = new JObject { ["type"] = "array", ["description"] = description, ["items"] = items };
        if (minItems is not null)
        {
            o["minItems"] = minItems;
        }
        if (unique)
        {
            o["uniqueItems"] = true;
        }
        return o;
    }
}

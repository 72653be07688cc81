using System.Collections.Concurrent;
using System.Globalization;
using GitOps.Specs.Diagnostics;
using GitOps.Specs.Yaml;
using Newtonsoft.Json.Linq;
using NJsonSchema;
using NJsonSchema.Validation;

namespace GitOps.Specs.Schemas;

/// <summary>Validates a document's JSON view against its kind's schema and maps each error to the YAML span.</summary>
internal static class SchemaValidation
{
    private static readonly ConcurrentDictionary<string, Lazy<JsonSchema>> Compiled = new(StringComparer.Ordinal);

    private static JsonSchema Schema(string kind) => Compiled.GetOrAdd(kind, k => new Lazy<JsonSchema>(
        () => JsonSchema.FromJsonAsync(SpecSchemas.All[k]).GetAwaiter().GetResult())).Value;

    public static List<Diagnostic> Validate(string kind, JObject document, SourceSpan documentSpan)
    {
        var result = new List<Diagnostic>();
        foreach (var error in Schema(kind).Validate(document))
        {
            Map(error, documentSpan, result);
        }
        NonFinite(document, SpecSchemas.Of(kind), result);
        return result;
    }

    /// <summary>
    /// <c>.inf</c> and <c>.nan</c> are YAML numbers but never meaningful in a numeric field; the validator does not
    /// reject them (it would compare them with minimum/maximum as decimals), so this pass does.
    /// </summary>
    private static void NonFinite(JToken token, JObject? schema, List<Diagnostic> result)
    {
        if (schema is null)
        {
            return;
        }
        switch (token)
        {
            case JObject o:
                foreach (var p in o.Properties())
                {
                    var child = schema["properties"]?[p.Name] as JObject ?? schema["additionalProperties"] as JObject;
                    NonFinite(p.Value, child, result);
                }
                break;
            case JArray a:
                foreach (var item in a)
                {
                    NonFinite(item, schema["items"] as JObject, result);
                }
                break;
            case JValue { Value: double d } v when !double.IsFinite(d) && schema["type"] is JValue { Value: "number" }:
                var info = v.Annotation<NodeInfo>();
                if (info is not null)
                {
                    result.Add(Error(DiagnosticIds.OutOfRange, info.ValueSpan, $"'{info.Path}' must be a finite number, not {Describe(v)}", null));
                }
                break;
        }
    }

    private static void Map(ValidationError error, SourceSpan documentSpan, List<Diagnostic> result)
    {
        if (error.Kind == ValidationErrorKind.NotOneOf && error.Schema?.OneOf is { Count: > 0 } choices
            && choices.All(c => c.RequiredProperties.Count == 1))
        {
            // oneOf of single required properties (SchemaDsl.OneRequired): both set, or neither.
            var names = choices.Select(c => c.RequiredProperties.Single()).ToList();
            var at = Info(error.Token);
            var found = error.Token is JObject o ? names.Count(n => o.ContainsKey(n)) : 0;
            var where = at?.Path is { Length: > 0 } p ? $"'{p}'" : "the document";
            result.Add(Error(DiagnosticIds.ExactlyOneOf, at?.KeySpan ?? at?.ValueSpan ?? documentSpan,
                $"{where} must set exactly one of {Suggestions.List(names)}, found {(found == 0 ? "neither" : "both")}",
                found == 0 ? $"add one of them, e.g. {names[0]}" : "keep one of them"));
            return;
        }
        if (error is ChildSchemaValidationError child && error.Kind is not ValidationErrorKind.NoTypeValidates)
        {
            foreach (var inner in child.Errors.Values.SelectMany(e => e))
            {
                Map(inner, documentSpan, result);
            }
            return;
        }
        var info = Info(error.Token);
        var path = info?.Path ?? TrimPath(error.Path);
        var valueSpan = info?.ValueSpan ?? documentSpan;
        var keySpan = info?.KeySpan ?? valueSpan;
        var schema = error.Schema;
        switch (error.Kind)
        {
            case ValidationErrorKind.NoAdditionalPropertiesAllowed:
                {
                    var childInfo = ChildInfo(error.Token, error.Property);
                    var known = schema?.Properties.Keys.ToList() ?? [];
                    var owner = childInfo is null ? path : Parent(childInfo.Path);
                    var where = owner.Length == 0 ? "the document" : $"'{owner}'";
                    result.Add(Error(DiagnosticIds.UnknownField, childInfo?.KeySpan ?? keySpan,
                        $"unknown field '{error.Property}' in {where}",
                        Suggestions.DidYouMean(error.Property ?? "", known) ?? (known.Count > 0 ? "known fields: " + string.Join(", ", known) : null)));
                    break;
                }
            case ValidationErrorKind.PropertyRequired:
                {
                    // The token is the object missing the property: point at its key.
                    var where = path.Length == 0 ? "the document" : $"'{path}'";
                    var span = info is null ? documentSpan : info.KeySpan ?? info.ValueSpan;
                    result.Add(Error(DiagnosticIds.MissingField, span, $"missing required field '{error.Property}' in {where}", null));
                    break;
                }
            case ValidationErrorKind.NotInEnumeration:
                {
                    var allowed = schema?.Enumeration.Select(v => v?.ToString() ?? "null").ToList() ?? [];
                    var actual = Describe(error.Token);
                    result.Add(Error(DiagnosticIds.NotAllowedValue, valueSpan,
                        $"'{path}' is {actual}, allowed: {Suggestions.List(allowed)}",
                        error.Token is JValue { Value: string s } ? Suggestions.DidYouMean(s, allowed) : null));
                    break;
                }
            case ValidationErrorKind.NumberTooBig or ValidationErrorKind.NumberTooSmall:
                {
                    var bound = error.Kind == ValidationErrorKind.NumberTooBig
                        ? $"at most {Num(schema?.Maximum)}"
                        : $"at least {Num(schema?.Minimum)}";
                    result.Add(Error(DiagnosticIds.OutOfRange, valueSpan, $"'{path}' must be {bound}, not {Describe(error.Token)}", null));
                    break;
                }
            case ValidationErrorKind.StringTooShort:
                result.Add(Error(DiagnosticIds.OutOfRange, valueSpan,
                    schema?.MinLength == 1 ? $"'{path}' must not be empty" : $"'{path}' must be at least {schema?.MinLength} characters long", null));
                break;
            case ValidationErrorKind.StringTooLong:
                result.Add(Error(DiagnosticIds.OutOfRange, valueSpan, $"'{path}' must be at most {schema?.MaxLength} characters long", null));
                break;
            case ValidationErrorKind.TooFewItems:
                result.Add(Error(DiagnosticIds.OutOfRange, valueSpan, $"'{path}' must have at least {schema?.MinItems} item(s)", null));
                break;
            case ValidationErrorKind.TooManyItems:
                result.Add(Error(DiagnosticIds.OutOfRange, valueSpan, $"'{path}' must have at most {schema?.MaxItems} item(s)", null));
                break;
            case ValidationErrorKind.PatternMismatch:
                result.Add(Error(DiagnosticIds.PatternMismatch, valueSpan, $"'{path}' is {Describe(error.Token)}: {PatternMeaning(schema?.Pattern)}", null));
                break;
            case ValidationErrorKind.TooManyProperties or ValidationErrorKind.TooFewProperties:
                {
                    var options = Suggestions.List(schema?.Properties.Keys ?? []);
                    var found = error.Token is JObject o ? o.Count : 0;
                    result.Add(Error(DiagnosticIds.ExactlyOneOf, valueSpan,
                        $"'{path}' must set exactly one of {options}, found {found}", null));
                    break;
                }
            case ValidationErrorKind.ItemsNotUnique:
                result.Add(Error(DiagnosticIds.DuplicateItem, valueSpan, $"'{path}' lists the same item more than once", "remove the repeated item"));
                break;
            default:
                result.Add(Error(DiagnosticIds.WrongType, valueSpan, $"'{path}' must be {Expected(error, schema)}, not {Describe(error.Token)}", null));
                break;
        }
    }

    private static Diagnostic Error(string id, SourceSpan span, string message, string? hint) => new(id, Severity.Error, span, message, hint);

    private static NodeInfo? Info(JToken? token) => token switch
    {
        null => null,
        JProperty p => p.Value.Annotation<NodeInfo>() ?? p.Parent?.Annotation<NodeInfo>(),
        _ => token.Annotation<NodeInfo>() ?? Info(token.Parent),
    };

    private static NodeInfo? ChildInfo(JToken? token, string? property)
    {
        if (property is null)
        {
            return null;
        }
        return token switch
        {
            JObject o => o.Property(property, StringComparison.Ordinal)?.Value.Annotation<NodeInfo>(),
            JProperty p => p.Value.Annotation<NodeInfo>(),
            _ => token?.Annotation<NodeInfo>(),
        };
    }

    private static string Parent(string path)
    {
        var i = Math.Max(path.LastIndexOf('.'), path.LastIndexOf('['));
        return i <= 0 ? "" : path[..i];
    }

    private static string TrimPath(string? path) => path is null ? "" : path.StartsWith("#/", StringComparison.Ordinal) ? path[2..] : path;

    private static string Expected(ValidationError error, JsonSchema? schema) => error.Kind switch
    {
        ValidationErrorKind.StringExpected => "a string",
        ValidationErrorKind.IntegerExpected => "an integer",
        ValidationErrorKind.NumberExpected => "a number",
        ValidationErrorKind.BooleanExpected => "true or false",
        ValidationErrorKind.ObjectExpected => "a mapping",
        ValidationErrorKind.ArrayExpected => "a list",
        ValidationErrorKind.NullExpected => "null",
        ValidationErrorKind.NoTypeValidates => TypeList(schema?.Type ?? JsonObjectType.None),
        _ => "valid (" + error.Kind + ")",
    };

    private static string TypeList(JsonObjectType type)
    {
        var names = new List<string>();
        if (type.HasFlag(JsonObjectType.String))
        {
            names.Add("a string");
        }
        if (type.HasFlag(JsonObjectType.Integer))
        {
            names.Add("an integer");
        }
        if (type.HasFlag(JsonObjectType.Number))
        {
            names.Add("a number");
        }
        if (type.HasFlag(JsonObjectType.Boolean))
        {
            names.Add("true or false");
        }
        if (type.HasFlag(JsonObjectType.Object))
        {
            names.Add("a mapping");
        }
        if (type.HasFlag(JsonObjectType.Array))
        {
            names.Add("a list");
        }
        return names.Count == 0 ? "valid" : string.Join(" or ", names);
    }

    private static string Num(decimal? value) => value?.ToString("G29", CultureInfo.InvariantCulture) ?? "?";

    private static string PatternMeaning(string? pattern) => pattern switch
    {
        SchemaDsl.DnsLabelPattern => "names must be DNS-1123 labels: lowercase letters, digits and '-', starting and ending with a letter or digit",
        "^[0-9a-f]{64}$" => "must be 64 lowercase hexadecimal characters (a SHA-256)",
        "^https?://" => "must start with http:// or https://",
        _ => $"must match the pattern {pattern}",
    };

    /// <summary>A value as a user sees it: <c>string 'two'</c>, <c>integer 3</c>, <c>a mapping</c>.</summary>
    internal static string Describe(JToken? token) => token switch
    {
        JValue { Type: JTokenType.String } v => $"'{Truncate((string)v.Value!)}'",
        JValue { Type: JTokenType.Integer } v => Convert.ToString(v.Value, CultureInfo.InvariantCulture) ?? "?",
        JValue { Type: JTokenType.Float } v => Convert.ToString(v.Value, CultureInfo.InvariantCulture) ?? "?",
        JValue { Type: JTokenType.Boolean } v => (bool)v.Value! ? "true" : "false",
        JValue { Type: JTokenType.Null } => "null",
        JObject => "a mapping",
        JArray => "a list",
        JProperty p => Describe(p.Value),
        _ => "this value",
    };

    private static string Truncate(string s) => s.Length <= 60 ? s : s[..60] + "...";
}

using System.Collections.Immutable;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using GitOps.Specs.Loading;

namespace GitOps.Registry.Records;

/// <summary>How registry files are written: camelCase, indented, nulls omitted; same record, same bytes.</summary>
public static class RegistryJson
{
    public static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DictionaryKeyPolicy = null,
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>
    /// How registry files are read: as <see cref="Options"/>, and a field the record cannot do without is an error
    /// when it is missing or null, rather than a null that fails far from the file. Such fields are the C#
    /// <c>required</c> ones and the constructor parameters of positional records that are neither nullable nor
    /// optional (a nullable parameter may be absent: nulls are omitted when writing). Missing numbers and flags keep
    /// their defaults, as records written before such a field existed have none.
    /// </summary>
    private static readonly JsonSerializerOptions ReadOptions = new(Options)
    {
        RespectNullableAnnotations = true,
        TypeInfoResolver = new DefaultJsonTypeInfoResolver { Modifiers = { RequireNonNullableParameters } },
    };

    public static byte[] Serialize<T>(T value) => JsonSerializer.SerializeToUtf8Bytes(value, Options);

    public static T? Deserialize<T>(byte[] bytes) => JsonSerializer.Deserialize<T>(bytes, ReadOptions);

    /// <summary>The registry file <paramref name="where"/> (its path or URL) read as a <typeparamref name="T"/>;
    /// a file that is not one is a <see cref="RegistryDataException"/> naming it and what it should hold,
    /// <paramref name="what"/> in a person's words (e.g. <c>model version record</c>).</summary>
    public static T Read<T>(byte[] bytes, string where, string what)
    {
        try
        {
            return Deserialize<T>(bytes) ?? throw new JsonException("the file holds null");
        }
        catch (JsonException e)
        {
            throw new RegistryDataException($"'{where}' is not a valid {what}: {JsonReadError.Describe(e)}. Registry files are written " +
                                            "once by gitops and never edited: restore this one from a backup or a version of the store", e);
        }
    }

    private static void RequireNonNullableParameters(JsonTypeInfo type)
    {
        foreach (var property in type.Properties)
        {
            if (property.AssociatedParameter is { HasDefaultValue: false, IsNullable: false } parameter
                && (!parameter.ParameterType.IsValueType || IsImmutableArray(parameter.ParameterType)))
            {
                property.IsRequired = true;
            }
        }
    }

    private static bool IsImmutableArray(Type type) => type.IsGenericType && type.GetGenericTypeDefinition() == typeof(ImmutableArray<>);
}

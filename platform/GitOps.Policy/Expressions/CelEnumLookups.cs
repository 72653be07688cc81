using System.Reflection;
using Cel;
using Google.Protobuf.Reflection;

namespace GitOps.Policy.Expressions;

/// <summary>
/// Turns off the protobuf enum lookups of a <see cref="CelEnvironment"/>. Cel 0.3.3 rebuilds the list of every enum of
/// the protobuf well-known types on each field selection and global function call (over 100 µs for <c>size(x)</c>),
/// which would make 2,000 models × 3 environments take seconds. Expressions here read plain maps and lists and never
/// name protobuf enums, so the visitor's descriptor list is emptied through its private backing fields. If the
/// library's internals differ, the environment is left as it is (slower, same results) and
/// <see cref="TryDisable"/> says so.
/// </summary>
internal static class CelEnumLookups
{
    private const BindingFlags Private = BindingFlags.Instance | BindingFlags.NonPublic;

    /// <summary>Empties the environment's descriptor list; false when the library's internals are not as expected.</summary>
    public static bool TryDisable(CelEnvironment environment)
    {
        if (Descriptors(environment) is not var (visitor, field))
        {
            return false;
        }
        field.SetValue(visitor, Array.Empty<FileDescriptor>());
        return DescriptorCount(environment) == 0;
    }

    /// <summary>How many protobuf files the environment searches for enums; null when the field cannot be found.</summary>
    public static int? DescriptorCount(CelEnvironment environment) =>
        Descriptors(environment) is var (visitor, field) ? (field.GetValue(visitor) as IList<FileDescriptor>)?.Count : null;

    private static (object Visitor, FieldInfo Field)? Descriptors(CelEnvironment environment)
    {
        var visitor = typeof(CelEnvironment).GetField("<CelVisitor>k__BackingField", Private)?.GetValue(environment);
        var field = visitor?.GetType().GetField("<FileDescriptors>k__BackingField", Private);
        return field?.FieldType == typeof(IList<FileDescriptor>) ? (visitor!, field) : null;
    }
}

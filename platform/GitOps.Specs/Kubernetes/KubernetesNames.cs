using System.Collections.Immutable;
using System.Text;
using System.Text.RegularExpressions;

namespace GitOps.Specs.Kubernetes;

/// <summary>
/// The format rules the Kubernetes API server applies to names, label keys and values, annotation keys and
/// resource names, ported from k8s.io/apimachinery (<c>pkg/api/validate/content</c>, <c>pkg/util/validation</c>,
/// <c>pkg/api/validation/objectmeta.go</c>) and k8s.io/kubernetes (<c>pkg/apis/core/helper</c>). Each method returns
/// the API server's reasons (empty when the value is accepted; its wording, without the regular expression), so
/// validation refuses what a cluster would refuse.
/// </summary>
public static partial class KubernetesNames
{
    /// <summary>Longest label value, and longest name part of a qualified name.</summary>
    public const int LabelValueMaxLength = 63;

    /// <summary>Longest DNS-1123 (and DNS-1035) label: Service names, namespaces, label name parts.</summary>
    public const int Dns1123LabelMaxLength = 63;

    /// <summary>Longest DNS-1123 subdomain: most object names, and the prefix of a qualified name.</summary>
    public const int Dns1123SubdomainMaxLength = 253;

    /// <summary>Most bytes all annotations of one object may hold together (keys plus values).</summary>
    public const int TotalAnnotationSizeLimitBytes = 256 * 1024;

    private const string QualifiedNameErrMsg =
        "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";

    private const string LabelValueErrMsg =
        "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";

    private const string Dns1123LabelErrMsg =
        "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character";

    private const string Dns1123SubdomainErrMsg =
        "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character";

    private const string Dns1035LabelErrMsg =
        "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character";

    // Go's regexp '$' matches only at the very end; \z is the .NET equivalent ('$' would accept a trailing newline).
    [GeneratedRegex(@"\A(?:[A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]\z")]
    private static partial Regex QualifiedNamePart();

    [GeneratedRegex(@"\A(?:(?:[A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?\z")]
    private static partial Regex LabelValuePattern();

    [GeneratedRegex(@"\A[a-z0-9](?:[-a-z0-9]*[a-z0-9])?\z")]
    private static partial Regex Dns1123LabelPattern();

    [GeneratedRegex(@"\A[a-z0-9](?:[-a-z0-9]*[a-z0-9])?(?:\.[a-z0-9](?:[-a-z0-9]*[a-z0-9])?)*\z")]
    private static partial Regex Dns1123SubdomainPattern();

    [GeneratedRegex(@"\A[a-z](?:[-a-z0-9]*[a-z0-9])?\z")]
    private static partial Regex Dns1035LabelPattern();

    /// <summary>
    /// A qualified name (label key, annotation key, nodeSelector key, toleration key, resource name): an optional
    /// DNS-1123 subdomain prefix and <c>/</c>, then a name part of at most 63 characters.
    /// </summary>
    public static ImmutableArray<string> QualifiedName(string value)
    {
        var errors = ImmutableArray.CreateBuilder<string>();
        var parts = value.Split('/');
        string name;
        switch (parts.Length)
        {
            case 1:
                name = parts[0];
                break;
            case 2:
                var prefix = parts[0];
                name = parts[1];
                if (prefix.Length == 0)
                {
                    errors.Add("prefix part must be non-empty");
                }
                else
                {
                    errors.AddRange(Dns1123Subdomain(prefix).Select(m => "prefix part " + m));
                }
                break;
            default:
                return ["a qualified name " + RegexError(QualifiedNameErrMsg, "MyName", "my.name", "123-abc")
                    + " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"];
        }
        if (name.Length == 0)
        {
            errors.Add("name part must be non-empty");
        }
        else if (name.Length > LabelValueMaxLength)
        {
            errors.Add("name part " + MaxLenError(LabelValueMaxLength));
        }
        if (!QualifiedNamePart().IsMatch(name))
        {
            errors.Add("name part " + RegexError(QualifiedNameErrMsg, "MyName", "my.name", "123-abc"));
        }
        return errors.ToImmutable();
    }

    /// <summary>A label value (also a nodeSelector value and an Equal toleration's value): empty, or at most 63 characters.</summary>
    public static ImmutableArray<string> LabelValue(string value)
    {
        var errors = ImmutableArray.CreateBuilder<string>();
        if (value.Length > LabelValueMaxLength)
        {
            errors.Add(MaxLenError(LabelValueMaxLength));
        }
        if (!LabelValuePattern().IsMatch(value))
        {
            errors.Add(RegexError(LabelValueErrMsg, "MyValue", "my_value", "12345"));
        }
        return errors.ToImmutable();
    }

    /// <summary>A DNS-1123 label: namespaces, and objects whose name becomes a host name.</summary>
    public static ImmutableArray<string> Dns1123Label(string value)
    {
        var errors = ImmutableArray.CreateBuilder<string>();
        if (value.Length > Dns1123LabelMaxLength)
        {
            errors.Add(MaxLenError(Dns1123LabelMaxLength));
        }
        if (!Dns1123LabelPattern().IsMatch(value))
        {
            // A valid subdomain that is not a valid label (length is checked above) must contain dots.
            errors.Add(Dns1123SubdomainPattern().IsMatch(value) ? "must not contain dots" : RegexError(Dns1123LabelErrMsg, "my-name", "123-abc"));
        }
        return errors.ToImmutable();
    }

    /// <summary>A DNS-1123 subdomain: the names of Deployments, Jobs, ConfigMaps, Secrets, NetworkPolicies, routes.</summary>
    public static ImmutableArray<string> Dns1123Subdomain(string value)
    {
        var errors = ImmutableArray.CreateBuilder<string>();
        if (value.Length > Dns1123SubdomainMaxLength)
        {
            errors.Add(MaxLenError(Dns1123SubdomainMaxLength));
        }
        if (!Dns1123SubdomainPattern().IsMatch(value))
        {
            errors.Add(RegexError(Dns1123SubdomainErrMsg, "example.com"));
        }
        return errors.ToImmutable();
    }

    /// <summary>A DNS-1035 label: the names of Services (they must start with a letter).</summary>
    public static ImmutableArray<string> Dns1035Label(string value)
    {
        var errors = ImmutableArray.CreateBuilder<string>();
        if (value.Length > Dns1123LabelMaxLength)
        {
            errors.Add(MaxLenError(Dns1123LabelMaxLength));
        }
        if (!Dns1035LabelPattern().IsMatch(value))
        {
            errors.Add(RegexError(Dns1035LabelErrMsg, "my-name", "abc-123"));
        }
        return errors.ToImmutable();
    }

    /// <summary>
    /// An annotation key: a qualified name, where case does not matter (the API server lower-cases it first).
    /// </summary>
    public static ImmutableArray<string> AnnotationKey(string key) => QualifiedName(key.ToLowerInvariant());

    /// <summary>Bytes the annotations take against <see cref="TotalAnnotationSizeLimitBytes"/> (UTF-8, keys plus values).</summary>
    public static long AnnotationsSize(IEnumerable<KeyValuePair<string, string>> annotations) =>
        annotations.Sum(a => (long)Encoding.UTF8.GetByteCount(a.Key) + Encoding.UTF8.GetByteCount(a.Value));

    /// <summary>
    /// An extended resource name a container may request (a GPU, say): a qualified name with a domain prefix
    /// outside <c>kubernetes.io</c>, not starting with <c>requests.</c>. Names without a prefix are the native
    /// resources (cpu, memory, ...), which a GPU pool cannot name.
    /// </summary>
    public static ImmutableArray<string> ExtendedResourceName(string value)
    {
        var qualified = QualifiedName(value);
        if (!qualified.IsEmpty)
        {
            return qualified;
        }
        if (!value.Contains('/', StringComparison.Ordinal) || value.Contains("kubernetes.io/", StringComparison.Ordinal))
        {
            return ["must be an extended resource name with a domain prefix outside kubernetes.io (e.g. 'nvidia.com/gpu')"];
        }
        if (value.StartsWith("requests.", StringComparison.Ordinal))
        {
            return ["must not start with 'requests.'"];
        }
        // The API server also checks the quota form of the name ("requests." + name) as a qualified name.
        return [.. QualifiedName("requests." + value).Select(m => "'requests." + value + "': " + m)];
    }

    private static string MaxLenError(int length) => $"must be no more than {length} characters";

    private static string RegexError(string message, params string[] examples) =>
        $"{message} (e.g. {string.Join(" or ", examples.Select(e => $"'{e}'"))})";
}

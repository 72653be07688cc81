using System.Security.Cryptography;
using System.Text;

namespace GitOps.Specs.Kubernetes;

/// <summary>
/// Deterministic, valid DNS-1123 names. A name longer than the limit keeps its readable prefix and ends in
/// <c>-</c> plus 8 hex characters of the SHA-256 of the full name, so two long names never collide by truncation.
/// The renderer names every object with it and validation checks the names it gives (a Service name must also be a
/// DNS-1035 label), so both see the same name after shortening.
/// </summary>
public static class ResourceNames
{
    /// <summary>DNS-1123 label limit (Services, and the safe limit for every kind we render).</summary>
    public const int MaxLength = 63;

    /// <summary>Joins <paramref name="parts"/> with <c>-</c>, lower-cases, replaces invalid characters and truncates with a hash.</summary>
    public static string Of(params string[] parts) => Sanitize(string.Join('-', parts), MaxLength);

    public static string Sanitize(string raw, int maxLength = MaxLength)
    {
        if (raw.Length <= maxLength && IsSanitized(raw))
        {
            // Already what the steps below would make of it (most names): no copies.
            return raw;
        }
        var sb = new StringBuilder(raw.Length);
        foreach (var c in raw.ToLowerInvariant())
        {
            var ok = char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c);
            sb.Append(ok ? c : '-');
        }
        var name = Collapse(sb.ToString());
        var changed = name != raw;
        if (name.Length == 0)
        {
            name = "x";
        }
        if (name.Length <= maxLength && !changed)
        {
            return name;
        }
        if (name.Length <= maxLength)
        {
            // Sanitising can map two names onto one ("a_b", "a.b"): a hash of the original keeps them apart.
            return Truncate($"{name}-{Short(raw)}", maxLength, raw);
        }
        return Truncate(name, maxLength, raw);
    }

    private static string Truncate(string name, int maxLength, string raw)
    {
        if (name.Length <= maxLength)
        {
            return name;
        }
        var suffix = "-" + Short(raw);
        var prefix = name[..(maxLength - suffix.Length)].TrimEnd('-');
        return prefix + suffix;
    }

    private static string Short(string raw) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(raw)))[..8];

    /// <summary>Lower-case letters, digits and single dashes between them: what sanitising leaves unchanged.</summary>
    private static bool IsSanitized(string name)
    {
        if (name.Length == 0 || name[0] == '-' || name[^1] == '-')
        {
            return false;
        }
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (!(char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || (c == '-' && name[i - 1] != '-')))
            {
                return false;
            }
        }
        return true;
    }

    private static string Collapse(string s)
    {
        var sb = new StringBuilder(s.Length);
        foreach (var c in s)
        {
            if (c == '-' && (sb.Length == 0 || sb[^1] == '-'))
            {
                continue;
            }
            sb.Append(c);
        }
        return sb.ToString().TrimEnd('-');
    }

    /// <summary>True when <paramref name="name"/> is a valid DNS-1123 label.</summary>
    public static bool IsValid(string name) => KubernetesNames.Dns1123Label(name).IsEmpty;
}

using System.Globalization;

namespace GitOps.Specs;

/// <summary>
/// Kubernetes resource quantities: a decimal number with an optional suffix. Binary suffixes <c>Ki Mi Gi Ti Pi Ei</c>
/// (powers of 1024), decimal suffixes <c>n u m k M G T P E</c> (powers of 1000) or an exponent <c>e3</c>/<c>E-2</c>:
/// <c>500m</c> = 0.5, <c>2</c>, <c>1.5</c>, <c>2Gi</c>, <c>512Mi</c>, <c>1e3</c>. A leading sign is accepted, as in
/// Kubernetes; callers decide whether negative values make sense.
/// </summary>
public static class Quantities
{
    public static bool TryParse(string? s, out decimal value)
    {
        value = 0;
        if (string.IsNullOrEmpty(s) || s.Length > 64)
        {
            return false;
        }
        var i = 0;
        if (s[0] is '+' or '-')
        {
            i++;
        }
        var digitsStart = i;
        var sawDigit = false;
        while (i < s.Length && (char.IsAsciiDigit(s[i]) || s[i] == '.'))
        {
            sawDigit |= char.IsAsciiDigit(s[i]);
            i++;
        }
        if (!sawDigit || s.AsSpan(digitsStart, i - digitsStart).Count('.') > 1)
        {
            return false;
        }
        if (!decimal.TryParse(s.AsSpan(0, i), NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number))
        {
            return false;
        }
        var suffix = s.AsSpan(i);
        decimal multiplier;
        if (suffix.Length > 0 && suffix[0] is 'e' or 'E' && suffix.Length > 1)
        {
            if (!int.TryParse(suffix[1..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var exponent) || exponent is < -28 or > 28
                || suffix[1..].ContainsAny(' ', '\t'))
            {
                return false;
            }
            multiplier = Pow(10, exponent);
        }
        else
        {
            switch (suffix)
            {
                case "": multiplier = 1; break;
                case "Ki": multiplier = 1024m; break;
                case "Mi": multiplier = 1024m * 1024; break;
                case "Gi": multiplier = 1024m * 1024 * 1024; break;
                case "Ti": multiplier = 1024m * 1024 * 1024 * 1024; break;
                case "Pi": multiplier = 1024m * 1024 * 1024 * 1024 * 1024; break;
                case "Ei": multiplier = 1024m * 1024 * 1024 * 1024 * 1024 * 1024; break;
                case "n": multiplier = 0.000000001m; break;
                case "u": multiplier = 0.000001m; break;
                case "m": multiplier = 0.001m; break;
                case "k": multiplier = 1000m; break;
                case "M": multiplier = 1_000_000m; break;
                case "G": multiplier = 1_000_000_000m; break;
                case "T": multiplier = 1_000_000_000_000m; break;
                case "P": multiplier = 1_000_000_000_000_000m; break;
                case "E": multiplier = 1_000_000_000_000_000_000m; break;
                default: return false;
            }
        }
        try
        {
            value = number * multiplier;
            return true;
        }
        catch (OverflowException)
        {
            value = 0;
            return false;
        }
    }

    private static decimal Pow(decimal b, int exponent)
    {
        decimal result = 1;
        for (var k = 0; k < Math.Abs(exponent); k++)
        {
            result *= b;
        }
        return exponent < 0 ? 1 / result : result;
    }
}

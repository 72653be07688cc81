using System.Globalization;

namespace GitOps.Specs;

/// <summary>
/// Numbers in messages, written as a person writes them: <c>0.000001</c>, <c>1000000</c>, never <c>1E-06</c> or
/// <c>1E+06</c>, with a '.' whatever the machine's culture. (The conversion to decimal keeps the 15 significant digits
/// a double holds; a number too small or too large to read that way keeps its exponent.)
/// </summary>
public static class PlainNumbers
{
    public static string Format(double value) =>
        value == 0 || Math.Abs(value) is >= 1e-15 and < 1e15
            ? ((decimal)value).ToString(CultureInfo.InvariantCulture)
            : value.ToString(CultureInfo.InvariantCulture);
}

using System.Globalization;
using System.Text.RegularExpressions;

namespace GitOps.Training.Datasets;

/// <summary>
/// A change of the world applied to a generated dataset's feature: each value multiplied by <see cref="Factor"/>, then
/// moved by <see cref="Offset"/> (e.g. <c>amount*10</c>, a client sending cents; <c>hour+3</c>, a clock in another
/// time zone). The label is drawn before the shift, as the world decided it: only what the model sees moves.
/// </summary>
public sealed partial record DatasetShift(string Feature, double Factor, double Offset)
{
    /// <summary>Parses <c>FEATURE*FACTOR</c>, <c>FEATURE+OFFSET</c>, <c>FEATURE-OFFSET</c> or <c>FEATURE*FACTOR+OFFSET</c>;
    /// null with what is wrong and the accepted forms.</summary>
    public static DatasetShift? Parse(string text, IReadOnlyList<string> features, out string? error)
    {
        error = null;
        var match = Form().Match(text.Trim());
        if (!match.Success)
        {
            error = $"'{text}' is not a shift; write FEATURE*FACTOR, FEATURE+OFFSET or FEATURE*FACTOR+OFFSET, e.g. amount*10 or hour+3";
            return null;
        }
        var feature = match.Groups["feature"].Value;
        if (!features.Contains(feature, StringComparer.Ordinal))
        {
            error = $"'{feature}' is not a feature of this dataset; its features are {string.Join(", ", features)}";
            return null;
        }
        var factor = match.Groups["factor"].Success ? double.Parse(match.Groups["factor"].Value, CultureInfo.InvariantCulture) : 1;
        var offset = match.Groups["offset"].Success ? double.Parse(match.Groups["offset"].Value.Replace("+", "", StringComparison.Ordinal), CultureInfo.InvariantCulture) : 0;
        if (!match.Groups["factor"].Success && !match.Groups["offset"].Success)
        {
            error = $"'{text}' names a feature but no change; add *FACTOR or +OFFSET, e.g. {feature}*2";
            return null;
        }
        return new DatasetShift(feature, factor, offset);
    }

    public double Apply(double value) => (value * Factor) + Offset;

    public override string ToString() =>
        Feature + (Factor != 1 ? "*" + Factor.ToString("R", CultureInfo.InvariantCulture) : "")
        + (Offset > 0 ? "+" : "") + (Offset != 0 ? Offset.ToString("R", CultureInfo.InvariantCulture) : "");

    [GeneratedRegex(@"^(?<feature>[A-Za-z_][A-Za-z0-9_]*)(\*(?<factor>[0-9]+(\.[0-9]+)?))?(?<offset>[+-][0-9]+(\.[0-9]+)?)?$")]
    private static partial Regex Form();
}

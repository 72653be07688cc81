using k8s.Models;

namespace GitOps.Specs;

/// <summary>
/// Kubernetes resource quantities, parsed by KubernetesClient's <see cref="ResourceQuantity"/> so that what
/// validation accepts is what rendering writes and the API server stores: a decimal number with an optional suffix,
/// binary <c>Ki Mi Gi Ti Pi Ei</c> (powers of 1024), decimal <c>n u m k M G T P E</c> (powers of 1000) or an
/// exponent <c>e3</c>/<c>E-2</c> — <c>500m</c> = 0.5, <c>2</c>, <c>1.5</c>, <c>2Gi</c>, <c>512Mi</c>, <c>1e3</c>.
/// A leading sign is accepted, as in Kubernetes; callers decide whether negative values make sense. The one
/// quantity parser of the code base: the semantic checks and the renderer both use it.
/// </summary>
public static class Quantities
{
    /// <summary>
    /// Parses <paramref name="text"/> and returns it in the canonical form the API server stores (<c>1000m</c>
    /// becomes <c>1</c>), so rendered objects do not show as drift. False when it is not a quantity.
    /// </summary>
    public static bool TryParse(string? text, out ResourceQuantity quantity)
    {
        quantity = null!;
        if (string.IsNullOrEmpty(text) || text.Length > 64)
        {
            return false;
        }
        try
        {
            quantity = new ResourceQuantity(new ResourceQuantity(text).CanonicalizeString());
            return true;
        }
        catch (Exception e) when (e is FormatException or ArgumentException or OverflowException or InvalidOperationException)
        {
            return false;
        }
    }

    /// <summary>Parses <paramref name="text"/> to its numeric value (<c>500m</c> is 0.5); false when it is not a
    /// quantity or its value does not fit a <see cref="decimal"/>.</summary>
    public static bool TryParseValue(string? text, out decimal value)
    {
        value = 0;
        if (text is null)
        {
            return false;
        }
        // Thousands of models repeat a handful of quantities, and parsing one is costly: remember the answers.
        var known = Remembered(Values, text, ParseValue);
        value = known.GetValueOrDefault();
        return known.HasValue;
    }

    /// <summary>
    /// The canonical text of <paramref name="text"/> (<c>1000m</c> is <c>1</c>, as <see cref="TryParse"/> gives it),
    /// or null when it is not a quantity. Remembered, as <see cref="TryParseValue"/> is: the renderer asks for the same
    /// few quantities for every model.
    /// </summary>
    public static string? Canonical(string? text) => text is null ? null
        : Remembered(CanonicalTexts, text, t => TryParse(t, out ResourceQuantity quantity) ? quantity.ToString() : null);

    private const int MaxRemembered = 4096;

    /// <summary>The answer for <paramref name="text"/> from <paramref name="answers"/>, computed and kept (up to a bound)
    /// the first time.</summary>
    private static T Remembered<T>(System.Collections.Concurrent.ConcurrentDictionary<string, T> answers, string text, Func<string, T> compute)
    {
        if (!answers.TryGetValue(text, out var known))
        {
            known = compute(text);
            if (answers.Count < MaxRemembered)
            {
                answers[text] = known;
            }
        }
        return known;
    }

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, decimal?> Values = new(StringComparer.Ordinal);

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, string?> CanonicalTexts = new(StringComparer.Ordinal);

    private static decimal? ParseValue(string text)
    {
        if (!TryParse(text, out ResourceQuantity quantity))
        {
            return null;
        }
        try
        {
            return quantity.ToDecimal();
        }
        catch (OverflowException)
        {
            return null;
        }
    }
}

using System.Globalization;
using System.Text;
using GitOps.Specs.Randomness;

namespace GitOps.Training.Datasets;

/// <summary>
/// The example fraud model's dataset: card transactions with a handful of behavioural features and an
/// <c>is_fraud</c> label drawn from a known, partly non-linear risk function. Generated deterministically
/// from a seed, so the repository never downloads data and the dataset's sha256 is reproducible.
/// </summary>
public static class FraudDataset
{
    public const string Label = "is_fraud";

    /// <summary>Feature columns, in file order; the served model takes one float32 [-1, 1] input per column.</summary>
    public static readonly IReadOnlyList<string> Features =
    [
        "amount",
        "hour",
        "merchant_risk",
        "distance_km",
        "txn_count_1h",
        "txn_count_24h",
        "amount_ratio_30d",
        "is_foreign",
        "card_age_days",
    ];

    public const int DefaultRows = 20_000;
    public const int DefaultSeed = 42;

    /// <summary>Writes <paramref name="rows"/> transactions as CSV (header first, LF line ends), with
    /// <paramref name="shifts"/> applied to what the model sees (none: the training distribution).</summary>
    public static void Write(TextWriter writer, int rows, int seed, IReadOnlyList<DatasetShift>? shifts = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(rows);
        var random = new SplitMix64(unchecked((ulong)seed * 0x2545F4914F6CDD1DUL + 1));
        writer.Write(string.Join(',', Features));
        writer.Write(',');
        writer.Write(Label);
        writer.Write('\n');
        var line = new StringBuilder(128);
        var values = new double[Features.Count];
        // Each shift's column, looked up once rather than per row.
        var columns = shifts?.Select(s => (Column: IndexOf(s.Feature), Shift: s)).ToArray() ?? [];
        for (var i = 0; i < rows; i++)
        {
            var t = Next(random);
            line.Clear();
            if (columns.Length == 0)
            {
                line.Append(CultureInfo.InvariantCulture, $"{t.Amount:F2},{t.Hour},{t.MerchantRisk:F4},{t.DistanceKm:F2},");
                line.Append(CultureInfo.InvariantCulture, $"{t.Count1h},{t.Count24h},{t.AmountRatio:F4},{(t.IsForeign ? 1 : 0)},{t.CardAgeDays},{(t.IsFraud ? 1 : 0)}\n");
                writer.Write(line);
                continue;
            }
            (values[0], values[1], values[2], values[3], values[4], values[5], values[6], values[7], values[8]) =
                (t.Amount, t.Hour, t.MerchantRisk, t.DistanceKm, t.Count1h, t.Count24h, t.AmountRatio, t.IsForeign ? 1 : 0, t.CardAgeDays);
            foreach (var (column, shift) in columns)
            {
                values[column] = shift.Apply(values[column]);
            }
            for (var f = 0; f < values.Length; f++)
            {
                line.Append(values[f].ToString(Formats[f], CultureInfo.InvariantCulture)).Append(',');
            }
            line.Append(t.IsFraud ? '1' : '0').Append('\n');
            writer.Write(line);
        }
    }

    /// <summary>How each feature column is written when shifted (the unshifted rows keep their exact bytes).</summary>
    private static readonly string[] Formats = ["F2", "0.####", "F4", "F2", "0.####", "0.####", "F4", "0.####", "0.####"];

    private static int IndexOf(string feature) =>
        Features.ToList().IndexOf(feature) is var i and >= 0 ? i : throw new ArgumentException($"'{feature}' is not a feature of the fraud dataset", nameof(feature));

    /// <summary>Writes the dataset to <paramref name="path"/>, creating its directory.</summary>
    public static void WriteFile(string path, int rows, int seed, IReadOnlyList<DatasetShift>? shifts = null)
    {
        var dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(dir))
        {
            Directory.CreateDirectory(dir);
        }
        using var writer = new StreamWriter(path, append: false, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
        Write(writer, rows, seed, shifts);
    }

    private readonly record struct Transaction(
        double Amount, int Hour, double MerchantRisk, double DistanceKm, int Count1h, int Count24h,
        double AmountRatio, bool IsForeign, int CardAgeDays, bool IsFraud);

    private static Transaction Next(SplitMix64 random)
    {
        var usualSpend = random.LogNormal(3.4, 0.6);
        var hour = random.Bernoulli(0.15) ? (int)(random.NextDouble() * 6) : 6 + (int)(random.NextDouble() * 18);
        var merchantRisk = Math.Pow(random.NextDouble(), 2.5);
        var distance = random.Bernoulli(0.05) ? 200 + random.Exponential(800) : random.Exponential(12);
        var count1h = random.Poisson(0.4);
        var count24h = count1h + random.Poisson(2.5);
        var isForeign = random.Bernoulli(0.07);
        var cardAge = 1 + (int)(random.NextDouble() * 3650);
        var amount = Math.Round(usualSpend * random.LogNormal(0, 0.7), 2);
        var ratio = amount / usualSpend;

        // The risk function mixes linear terms with thresholds and an interaction, so tree ensembles have
        // something to find beyond a logistic regression, and noise keeps the AUC well below 1.
        var logit = -7.4
            + 5.0 * merchantRisk
            + 1.7 * Math.Log(1 + ratio)
            + 0.8 * Math.Min(count1h, 6)
            + (hour < 5 ? 1.6 : 0)
            + (isForeign ? 1.5 : 0)
            + (distance > 150 ? 1.3 : 0)
            + (cardAge < 45 ? 2.0 : 0)
            + (isForeign && hour < 5 ? 1.0 : 0)
            + 0.3 * random.Normal();
        var isFraud = random.Bernoulli(1 / (1 + Math.Exp(-logit)));
        return new Transaction(amount, hour, merchantRisk, distance, count1h, count24h, ratio, isForeign, cardAge, isFraud);
    }
}

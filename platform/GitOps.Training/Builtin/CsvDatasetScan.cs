using System.Collections.Immutable;
using System.Globalization;
using System.Security.Cryptography;
using GitOps.Specs.Model;

namespace GitOps.Training.Builtin;

/// <summary>
/// A dataset checked line by line before training: header resolved against the requested columns, every
/// feature a finite number, every label valid for the task. ML.NET's text loader turns bad values into
/// NaN silently; this scan turns them into an error that names the line and column.
/// </summary>
internal sealed record CsvDatasetScan(
    ImmutableArray<string> Header,
    ImmutableArray<string> Features,
    ImmutableArray<int> FeatureIndexes,
    int LabelIndex,
    long Rows,
    long PositiveRows,
    string Sha256)
{
    /// <summary>Names the trainer uses for its own columns; a dataset column cannot take them.</summary>
    public static readonly ImmutableHashSet<string> ReservedNames =
        ["Features", "Score", "Probability", "PredictedLabel"];

    public static (CsvDatasetScan? Scan, string? Error) Scan(string path, string label, ImmutableArray<string> features, string task)
    {
        if (!File.Exists(path))
        {
            return (null, $"dataset '{path}' does not exist");
        }
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (IOException e)
        {
            return (null, $"dataset '{path}' cannot be read: {e.Message}");
        }
        catch (UnauthorizedAccessException e)
        {
            return (null, $"dataset '{path}' cannot be read: {e.Message}");
        }
        var sha = Convert.ToHexStringLower(SHA256.HashData(bytes));
        using var reader = new StreamReader(new MemoryStream(bytes));
        var headerLine = reader.ReadLine();
        if (string.IsNullOrWhiteSpace(headerLine))
        {
            return (null, $"{path}:1: the dataset is empty; expected a header row such as '{string.Join(',', features.IsDefaultOrEmpty ? ["feature1", "feature2"] : features)},{label}'");
        }
        var header = headerLine.Split(',').Select(h => h.Trim()).ToImmutableArray();
        var duplicate = header.GroupBy(h => h, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            return (null, $"{path}:1: column '{duplicate.Key}' appears more than once in the header");
        }
        var labelIndex = header.IndexOf(label);
        if (labelIndex < 0)
        {
            return (null, $"{path}:1: label column '{label}' is not in the header (columns: {string.Join(", ", header)})");
        }
        var featureNames = features.IsDefaultOrEmpty ? header.RemoveAt(labelIndex) : features;
        if (featureNames.IsEmpty)
        {
            return (null, $"{path}:1: the dataset has no feature columns besides the label '{label}'");
        }
        var indexes = ImmutableArray.CreateBuilder<int>(featureNames.Length);
        foreach (var name in featureNames)
        {
            var index = header.IndexOf(name);
            if (index < 0)
            {
                return (null, $"{path}:1: feature column '{name}' is not in the header (columns: {string.Join(", ", header)})");
            }
            if (index == labelIndex)
            {
                return (null, $"{path}:1: column '{name}' is the label and cannot also be a feature");
            }
            if (ReservedNames.Contains(name))
            {
                return (null, $"{path}:1: column name '{name}' is reserved by the trainer; rename the column");
            }
            indexes.Add(index);
        }
        if (featureNames.Distinct(StringComparer.Ordinal).Count() != featureNames.Length)
        {
            return (null, "a feature column is listed more than once");
        }

        long rows = 0, positives = 0;
        var lineNumber = 1;
        string? line;
        while ((line = reader.ReadLine()) is not null)
        {
            lineNumber++;
            if (line.Length == 0)
            {
                continue;
            }
            var cells = line.Split(',');
            if (cells.Length != header.Length)
            {
                return (null, $"{path}:{lineNumber}: expected {header.Length} comma-separated values, found {cells.Length}");
            }
            for (var i = 0; i < indexes.Count; i++)
            {
                var cell = cells[indexes[i]].Trim();
                if (!float.TryParse(cell, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !float.IsFinite(value))
                {
                    return (null, $"{path}:{lineNumber}:{indexes[i] + 1}: feature '{featureNames[i]}' must be a finite number, found '{cell}'");
                }
            }
            var labelCell = cells[labelIndex].Trim();
            if (task == ModelTasks.BinaryClassification)
            {
                if (!TryParseBinaryLabel(labelCell, out var positive))
                {
                    return (null, $"{path}:{lineNumber}:{labelIndex + 1}: label '{label}' must be 0, 1, true or false for binary classification, found '{labelCell}'");
                }
                positives += positive ? 1 : 0;
            }
            else if (!float.TryParse(labelCell, NumberStyles.Float, CultureInfo.InvariantCulture, out var target) || !float.IsFinite(target))
            {
                return (null, $"{path}:{lineNumber}:{labelIndex + 1}: label '{label}' must be a finite number for regression, found '{labelCell}'");
            }
            rows++;
        }
        return (new CsvDatasetScan(header, featureNames, indexes.ToImmutable(), labelIndex, rows, positives, sha), null);
    }

    private static bool TryParseBinaryLabel(string cell, out bool positive)
    {
        switch (cell.ToLowerInvariant())
        {
            case "1" or "true":
                positive = true;
                return true;
            case "0" or "false":
                positive = false;
                return true;
            default:
                positive = false;
                return false;
        }
    }
}

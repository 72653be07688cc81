using System.CommandLine;
using System.Security.Cryptography;
using GitOps.Training.Datasets;

namespace GitOps.Cli.Commands;

/// <summary><c>gitops datasets generate fraud</c>: writes the deterministic example datasets.</summary>
public static class DatasetsCommand
{
    public static Command Create()
    {
        var name = new Argument<string>("name") { Description = "Dataset to generate: fraud" };
        name.AcceptOnlyFromAmong("fraud");
        var rows = new Option<int>("--rows") { Description = "Number of rows", DefaultValueFactory = _ => FraudDataset.DefaultRows };
        var seed = new Option<int>("--seed") { Description = "Seed; the same seed writes the same bytes", DefaultValueFactory = _ => FraudDataset.DefaultSeed };
        var output = new Option<string>("--out") { Description = "CSV file to write", Required = true };
        var generate = new Command("generate", "Write a synthetic dataset as CSV (deterministic, no downloads)") { name, rows, seed, output };
        generate.SetAction((ParseResult parse) =>
        {
            var path = parse.GetValue(output)!;
            var count = parse.GetValue(rows);
            if (count < 1)
            {
                parse.InvocationConfiguration.Error.WriteLine($"error: --rows must be at least 1, found {count}");
                return 2;
            }
            try
            {
                FraudDataset.WriteFile(path, count, parse.GetValue(seed));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                parse.InvocationConfiguration.Error.WriteLine($"error: cannot write {path}: {e.Message}. Check that its folder exists and is writable, or pass another --out.");
                return 2;
            }
            var sha = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path)));
            parse.InvocationConfiguration.Output.WriteLine($"Wrote {path}: {count} rows, sha256 {sha}");
            return 0;
        });
        return new Command("datasets", "Example datasets") { generate };
    }
}

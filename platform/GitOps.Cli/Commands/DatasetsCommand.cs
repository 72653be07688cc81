using System.CommandLine;
using System.Security.Cryptography;
using GitOps.Cli.Conventions;
using GitOps.Cli.Output;
using GitOps.Specs.Contracts;
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
        var output = new Option<string?>("--out") { Description = "CSV file to write (default: NAME.csv in the current directory)", HelpName = "FILE" };
        var generate = new Command("generate", "Write a synthetic dataset as CSV (deterministic, no downloads)") { name, rows, seed, output };
        generate.SetAction((ParseResult parse) =>
        {
            var path = parse.GetValue(output) ?? $"{parse.GetValue(name)}.csv";
            var count = parse.GetValue(rows);
            if (count < 1)
            {
                parse.InvocationConfiguration.Error.WriteLine($"error: --rows must be at least 1, found {count}");
                return (int)ExitCode.Usage;
            }
            try
            {
                ProgressDisplay.Run(parse, $"Generating {path}", () => { FraudDataset.WriteFile(path, count, parse.GetValue(seed)); return path; });
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                parse.InvocationConfiguration.Error.WriteLine($"error: cannot write {path}: {e.Message}. Check that its folder exists and is writable, or pass another --out.");
                return (int)ExitCode.Usage;
            }
            var sha = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path)));
            parse.InvocationConfiguration.Output.WriteLine($"Wrote {path}: {count} rows, sha256 {sha}");
            return (int)ExitCode.Success;
        });
        generate.WithExamples(
            ("gitops datasets generate fraud", "fraud.csv with the default rows and seed"),
            ("gitops datasets generate fraud --rows 1000 --seed 7 --out data/fraud-small.csv", "a smaller dataset elsewhere"));
        return new Command("datasets", "Example datasets") { generate };
    }
}

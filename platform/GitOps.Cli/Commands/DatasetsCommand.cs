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
        var shift = new Option<string[]>("--shift")
        {
            Description = "Move a feature as the world would, to try drift monitoring: FEATURE*FACTOR, FEATURE+OFFSET or both (repeatable)",
            HelpName = "SHIFT",
            AllowMultipleArgumentsPerToken = false,
        };
        var generate = new Command("generate", "Write a synthetic dataset as CSV (deterministic, no downloads)") { name, rows, seed, output, shift };
        generate.SetAction((ParseResult parse) =>
        {
            var path = parse.GetValue(output) ?? $"{parse.GetValue(name)}.csv";
            var count = parse.GetValue(rows);
            if (count < 1)
            {
                parse.InvocationConfiguration.Error.WriteLine($"error: --rows must be at least 1, found {count}");
                return (int)ExitCode.Usage;
            }
            var shifts = new List<DatasetShift>();
            foreach (var text in parse.GetValue(shift) ?? [])
            {
                if (DatasetShift.Parse(text, FraudDataset.Features, out var error) is not { } parsed)
                {
                    parse.InvocationConfiguration.Error.WriteLine($"error: --shift {error}");
                    return (int)ExitCode.Usage;
                }
                shifts.Add(parsed);
            }
            try
            {
                ProgressDisplay.Run(parse, $"Generating {path}", () => { FraudDataset.WriteFile(path, count, parse.GetValue(seed), shifts); return path; });
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                parse.InvocationConfiguration.Error.WriteLine($"error: cannot write {path}: {e.Message.TrimEnd('.')}. Check that its folder exists and is writable, or pass another --out.");
                return (int)ExitCode.Usage;
            }
            var sha = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path)));
            var shifted = shifts.Count == 0 ? "" : $", shifted: {string.Join(", ", shifts)}";
            parse.InvocationConfiguration.Output.WriteLine($"Wrote {path}: {count} rows{shifted}, sha256 {sha}");
            return (int)ExitCode.Success;
        });
        generate.WithExamples(
            ("gitops datasets generate fraud", "fraud.csv with the default rows and seed"),
            ("gitops datasets generate fraud --rows 1000 --seed 7 --out data/fraud-small.csv", "a smaller dataset elsewhere"),
            ("gitops datasets generate fraud --rows 2000 --shift 'amount*10' --out drifted.csv", "rows whose amount moved (cents, not euros), to see drift"));
        return new Command("datasets", "Example datasets") { generate };
    }
}

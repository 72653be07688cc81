using System.CommandLine;
using GitOps.Cli.Conventions;
using GitOps.Specs;
using GitOps.Specs.Contracts;

namespace GitOps.Cli.Commands;

/// <summary><c>gitops schema --out DIR</c>: writes the JSON Schema of every spec kind for editors and CI.</summary>
public static class SchemaCommand
{
    public static Command Create()
    {
        var output = new Option<string>("--out")
        {
            Description = "Folder to write <kind>.schema.json files to (created if missing)",
            Required = true,
        };
        var command = new Command("schema", "Write the JSON Schema of every spec kind (for editor completion)");
        command.Options.Add(output);
        command.WithExamples(("gitops schema --out schemas", "write schemas/<kind>.schema.json for editor completion"));
        command.SetAction((ParseResult parse, CancellationToken ct) =>
        {
            var dir = parse.GetValue(output)!;
            var stdout = parse.InvocationConfiguration.Output;
            var stderr = parse.InvocationConfiguration.Error;
            try
            {
                WriteAll(dir);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
            {
                stderr.WriteLine($"error: cannot write schemas to '{dir}': {ex.Message.TrimEnd('.')}. Check that the folder is writable, or pass another --out.");
                stderr.WriteLine("Choose a folder you can write to, e.g. 'gitops schema --out schemas'.");
                return Task.FromResult((int)ExitCode.Usage);
            }
            foreach (var kind in SpecSchemas.All.Keys.Order(StringComparer.Ordinal))
            {
                stdout.WriteLine(Path.Combine(dir, SpecSchemas.FileName(kind)));
            }
            stdout.WriteLine($"Add '# yaml-language-server: $schema=<path to one of these files>' as the first line of a spec for editor completion.");
            return Task.FromResult((int)ExitCode.Success);
        });
        return command;
    }

    private static void WriteAll(string dir)
    {
        Directory.CreateDirectory(dir);
        foreach (var (kind, text) in SpecSchemas.All.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            File.WriteAllText(Path.Combine(dir, SpecSchemas.FileName(kind)), text);
        }
    }
}

using System.CommandLine;
using System.Text;
using GitOps.Planning.Diff;
using GitOps.Planning.Formatting;
using GitOps.Planning.Rendering;
using GitOps.Policy;
using GitOps.Specs;
using GitOps.Specs.Model;

namespace GitOps.Cli.Commands;

/// <summary><c>gitops render --env ENV [--repo PATH] [--out DIR]</c>: the Kubernetes objects an environment wants.</summary>
public static class RenderCommand
{
    public static Command Create()
    {
        var env = new Option<string>("--env") { Description = "Environment to render", Required = true };
        var repo = new Option<string>("--repo") { Description = "Repository checkout (default: current directory)", DefaultValueFactory = _ => "." };
        var output = new Option<string?>("--out") { Description = "Folder for one manifest per object (default: one YAML stream on stdout)" };
        var live = new Option<string?>("--live") { Description = "Live state (YAML or JSON) to read registry facts from (served and trained versions)" };
        var commit = new Option<string?>("--commit") { Description = "Commit stamped on objects (default: the repository's HEAD)" };
        var command = new Command("render", "Render the Kubernetes objects an environment wants for this commit");
        command.Options.Add(env);
        command.Options.Add(repo);
        command.Options.Add(output);
        command.Options.Add(live);
        command.Options.Add(commit);
        command.SetAction((ParseResult parse, CancellationToken ct) =>
        {
            var stdout = parse.InvocationConfiguration.Output;
            var stderr = parse.InvocationConfiguration.Error;
            var root = parse.GetValue(repo)!;
            var (input, exitCode) = CliInputs.Load(root, parse.GetValue(live), parse.GetValue(commit), stderr);
            if (input is null)
            {
                return Task.FromResult(exitCode);
            }
            if (!CliInputs.EnvironmentsExist(input.Specs, [parse.GetValue(env)!], stderr))
            {
                return Task.FromResult(2);
            }
            var result = Renderer.Render(input.Specs, parse.GetValue(env)!, input.Facts, new RenderContext(input.Commit));
            foreach (var d in result.Diagnostics)
            {
                stderr.WriteLine(d.ToString());
            }
            if (result.HasErrors)
            {
                stderr.WriteLine("Nothing rendered: fix the errors above.");
                return Task.FromResult(1);
            }
            var dir = parse.GetValue(output);
            if (dir is null)
            {
                stdout.Write(RenderOutput.Stream(result));
                return Task.FromResult(0);
            }
            try
            {
                foreach (var file in RenderOutput.Files(result))
                {
                    var path = Path.Combine(dir, file.Path);
                    Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                    File.WriteAllText(path, file.Content, new UTF8Encoding(false));
                    stdout.WriteLine(path);
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
            {
                stderr.WriteLine($"error: cannot write manifests to '{dir}': {ex.Message}. Check that the folder is writable, or pass another --out.");
                stderr.WriteLine("Choose a folder you can write to, or leave out --out to print one YAML stream.");
                return Task.FromResult(2);
            }
            return Task.FromResult(0);
        });
        return command;
    }
}

/// <summary>What render and plan read from disk: the validated specs, the live state, the registry facts and the commit.</summary>
internal sealed record CliInput(SpecSet Specs, IReadOnlyList<System.Text.Json.Nodes.JsonObject> Observed, RegistryFacts Facts, string Commit);

internal static class CliInputs
{
    /// <summary>
    /// Reads and validates the repository, then the live state. On failure prints what is wrong and returns no input
    /// with the exit code: 1 for spec errors, 2 for I/O or usage problems.
    /// </summary>
    /// <summary>
    /// True when every name is an Environment of the repository; otherwise prints which name is unknown and which
    /// exist, so that a mistyped <c>--env</c> is a usage error (exit 2) rather than an empty plan.
    /// </summary>
    public static bool EnvironmentsExist(SpecSet specs, IEnumerable<string> names, TextWriter stderr)
    {
        var known = specs.Environments.Select(e => e.Name).ToList();
        var unknown = names.Where(n => !known.Contains(n, StringComparer.Ordinal)).ToList();
        foreach (var name in unknown)
        {
            var list = known.Count == 0 ? "the repository defines none under environments/" : $"known: {string.Join(", ", known)}";
            stderr.WriteLine($"error: --env '{name}' is not an Environment of this repository ({list}). Pass one of them, or --all with plan.");
        }
        return unknown.Count == 0;
    }

    public static (CliInput? Input, int ExitCode) Load(string root, string? livePath, string? commit, TextWriter stderr)
    {
        if (!Directory.Exists(root))
        {
            stderr.WriteLine($"error: repository folder '{root}' does not exist. Pass --repo PATH or run from the repository root.");
            return (null, 2);
        }
        IReadOnlyList<SourceFile> files;
        try
        {
            files = SpecFileReader.Read(root);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            stderr.WriteLine($"error: cannot read specs under '{root}': {ex.Message}. Check that the files are readable, or pass another --repo.");
            return (null, 2);
        }
        if (files.Count == 0)
        {
            stderr.WriteLine($"error: no specs under '{Path.GetFullPath(root)}' (looked in environments/, models/, policies/). Pass --repo PATH.");
            return (null, 2);
        }
        var load = RepositoryValidator.Validate(files);
        foreach (var d in load.Diagnostics)
        {
            stderr.WriteLine(d.ToString());
        }
        if (load.HasErrors)
        {
            stderr.WriteLine($"The specs have {load.Diagnostics.Count(d => d.IsError)} error(s): nothing rendered or planned. Fix them and run again ('gitops validate' shows the same list).");
            return (null, 1);
        }
        IReadOnlyList<System.Text.Json.Nodes.JsonObject> observed = [];
        if (livePath is not null)
        {
            byte[] text;
            try
            {
                text = File.ReadAllBytes(livePath);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
            {
                stderr.WriteLine($"error: cannot read live state '{livePath}': {ex.Message}");
                stderr.WriteLine("Create it with 'kubectl get configmaps,services,jobs,deployments,hpa,pdb,httproutes -l ml.gitops/managed-by=gitops -o yaml > live.yaml'.");
                return (null, 2);
            }
            var parsed = LiveState.Parse(text, livePath);
            foreach (var d in parsed.Diagnostics)
            {
                stderr.WriteLine(d.ToString());
            }
            if (parsed.HasErrors)
            {
                stderr.WriteLine("The live state could not be read: nothing planned (a partial live state would plan wrong deletions).");
                return (null, 2);
            }
            observed = parsed.Objects;
        }
        return (new CliInput(load.Specs, observed, ObservedFacts.From(observed), commit ?? GitHead.Read(root) ?? "unknown"), 0);
    }
}

/// <summary>Reads the commit a checkout is at from <c>.git</c> (folder or worktree file, loose or packed refs).</summary>
internal static class GitHead
{
    public static string? Read(string root)
    {
        try
        {
            var dir = new DirectoryInfo(Path.GetFullPath(root));
            while (dir is not null && !Path.Exists(Path.Combine(dir.FullName, ".git")))
            {
                dir = dir.Parent;
            }
            if (dir is null)
            {
                return null;
            }
            var git = Path.Combine(dir.FullName, ".git");
            if (File.Exists(git))
            {
                var pointer = File.ReadAllText(git).Trim();
                if (!pointer.StartsWith("gitdir:", StringComparison.Ordinal))
                {
                    return null;
                }
                git = Path.GetFullPath(Path.Combine(dir.FullName, pointer["gitdir:".Length..].Trim()));
            }
            var head = File.ReadAllText(Path.Combine(git, "HEAD")).Trim();
            if (!head.StartsWith("ref:", StringComparison.Ordinal))
            {
                return head;
            }
            var reference = head["ref:".Length..].Trim();
            var common = File.Exists(Path.Combine(git, "commondir"))
                ? Path.GetFullPath(Path.Combine(git, File.ReadAllText(Path.Combine(git, "commondir")).Trim()))
                : git;
            foreach (var baseDir in new[] { git, common })
            {
                var loose = Path.Combine(baseDir, reference);
                if (File.Exists(loose))
                {
                    return File.ReadAllText(loose).Trim();
                }
            }
            var packed = Path.Combine(common, "packed-refs");
            if (File.Exists(packed))
            {
                foreach (var line in File.ReadLines(packed))
                {
                    if (line.EndsWith(" " + reference, StringComparison.Ordinal))
                    {
                        return line[..line.IndexOf(' ')];
                    }
                }
            }
            return null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}

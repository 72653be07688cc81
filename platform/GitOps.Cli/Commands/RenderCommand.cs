using System.CommandLine;
using System.Text;
using GitOps.Cli.Conventions;
using GitOps.Cli.Output;
using GitOps.Planning.Cluster;
using GitOps.Planning.Diff;
using GitOps.Planning.Formatting;
using GitOps.Planning.Rendering;
using GitOps.Policy;
using GitOps.Specs;
using GitOps.Specs.Contracts;
using GitOps.Specs.Diagnostics;
using GitOps.Specs.Model;

namespace GitOps.Cli.Commands;

/// <summary><c>gitops render [PATH] --env ENV [--out DIR]</c>: the Kubernetes objects an environment wants.</summary>
public static class RenderCommand
{
    public static Command Create()
    {
        var command = new Command("render", "Render the Kubernetes objects an environment wants for this commit");
        var repository = RepositoryPath.AddTo(command);
        var env = new Option<string>("--env") { Description = "Environment to render", Required = true, HelpName = "ENV" };
        env.CompleteEnvironments(repository);
        var output = new Option<string?>("--out") { Description = "Folder to write DIR/ENV/<kind>-<name>.yaml to, one manifest per object; stale manifests an earlier render wrote in DIR/ENV are removed, other files kept; never inside the spec folders (default: one YAML stream on stdout)", HelpName = "DIR" };
        var live = new Option<string?>("--live") { Description = "Live state (YAML or JSON, '-' for standard input) to read registry facts from (served and trained versions)", HelpName = "FILE" };
        var commit = new Option<string?>("--commit") { Description = "Commit stamped on objects (default: the repository's HEAD)" };
        command.Options.Add(env);
        command.Options.Add(output);
        command.Options.Add(live);
        command.Options.Add(commit);
        command.WithExamples(
            ("gitops render --env staging", "every object of staging as one YAML stream"),
            ("gitops render --env staging --out manifests/", "one file per object under manifests/staging/, stale files removed"),
            ("gitops render ../ml-platform --env prod | kubectl apply --dry-run=server -f -", "check the objects against a cluster"));
        command.SetAction((ParseResult parse, CancellationToken ct) =>
        {
            var stdout = parse.InvocationConfiguration.Output;
            var stderr = parse.InvocationConfiguration.Error;
            var (input, exitCode) = CliInputs.Load(repository.Resolve(parse), parse.GetValue(live), parse.GetValue(commit), stderr);
            if (input is null)
            {
                return Task.FromResult(exitCode);
            }
            if (!CliInputs.EnvironmentsExist(input.Specs, [parse.GetValue(env)!], stderr))
            {
                return Task.FromResult((int)ExitCode.Usage);
            }
            var result = Renderer.Render(input.Specs, parse.GetValue(env)!, input.Facts, new RenderContext(input.Commit));
            foreach (var d in result.Diagnostics)
            {
                stderr.WriteLine(d.ToString());
            }
            if (result.HasErrors)
            {
                stderr.WriteLine("Nothing rendered: fix the errors above.");
                return Task.FromResult((int)ExitCode.Findings);
            }
            var dir = parse.GetValue(output);
            if (dir is null)
            {
                stdout.Write(RenderOutput.Stream(result));
                return Task.FromResult((int)ExitCode.Success);
            }
            var root = Path.GetFullPath(repository.Resolve(parse));
            var target = Path.GetFullPath(Path.Combine(dir, result.Environment));
            if (RepositoryFiles.SpecFolders.Select(f => Path.Combine(root, f)).FirstOrDefault(f => target == f || target.StartsWith(f + Path.DirectorySeparatorChar, StringComparison.Ordinal)) is { } specFolder)
            {
                stderr.WriteLine($"error: --out '{dir}' puts the manifests in {target}, inside the spec folder {specFolder}, where they would be read as specs and the specs there replaced.");
                stderr.WriteLine("Pass a folder outside environments/, models/ and policies/, such as --out rendered.");
                return Task.FromResult((int)ExitCode.Usage);
            }
            try
            {
                WriteFolder(dir, result, stdout);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
            {
                stderr.WriteLine($"error: cannot write manifests to '{dir}': {ex.Message.TrimEnd('.')}. Check that the folder is writable, or pass another --out.");
                stderr.WriteLine("Choose a folder you can write to, or leave out --out to print one YAML stream.");
                return Task.FromResult((int)ExitCode.Usage);
            }
            return Task.FromResult((int)ExitCode.Success);
        });
        return command;
    }

    /// <summary>
    /// Writes one file per object under <c>DIR/ENV/</c> and removes the other manifests a render wrote there (the
    /// <c>.yaml</c> files labelled as managed by gitops), so that the folder mirrors the render: an object that no
    /// longer renders leaves no stale manifest behind. Any other file there is kept, and named.
    /// </summary>
    private static void WriteFolder(string dir, RenderResult result, TextWriter stdout)
    {
        var written = new HashSet<string>(StringComparer.Ordinal);
        foreach (var file in RenderOutput.Files(result))
        {
            var path = Path.Combine(dir, file.Path);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, file.Content, new UTF8Encoding(false));
            written.Add(Path.GetFullPath(path));
            stdout.WriteLine(path);
        }
        var environmentDir = Path.Combine(dir, result.Environment);
        if (!Directory.Exists(environmentDir))
        {
            return;
        }
        foreach (var stale in Directory.EnumerateFiles(environmentDir, "*.yaml").Where(f => !written.Contains(Path.GetFullPath(f))).Order(StringComparer.Ordinal))
        {
            if (WrittenByRender(stale))
            {
                File.Delete(stale);
                stdout.WriteLine($"removed {stale}");
            }
            else
            {
                stdout.WriteLine($"kept {stale}: not a manifest rendered by gitops");
            }
        }
    }

    /// <summary>A manifest a render wrote: a Kubernetes object whose labels say gitops manages it.</summary>
    private static bool WrittenByRender(string path)
    {
        var text = File.ReadAllText(path);
        return text.StartsWith("apiVersion: ", StringComparison.Ordinal)
               && text.Contains($"\n    {ManagedLabels.ManagedBy}: {ManagedLabels.ManagedByValue}\n", StringComparison.Ordinal);
    }
}

/// <summary>What render and plan read from disk: the validated specs, the live state, the registry facts and the commit.</summary>
internal sealed record CliInput(SpecSet Specs, IReadOnlyList<System.Text.Json.Nodes.JsonObject> Observed, RegistryFacts Facts, string Commit);

internal static class CliInputs
{
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
            var typo = Suggestions.DidYouMean(name, known) is { } hint ? $" {char.ToUpperInvariant(hint[0])}{hint[1..]}" : "";
            stderr.WriteLine($"error: --env '{name}' is not an Environment of this repository ({list}).{typo} Pass one of them, or --all with plan.");
        }
        return unknown.Count == 0;
    }

    /// <summary>
    /// Reads and validates the repository and finds the Environment <paramref name="name"/> in it (what alerts and
    /// dashboards are generated from). On failure prints what is wrong and returns no environment with the exit code.
    /// </summary>
    public static (SpecSet? Specs, EnvironmentSpec? Environment, int ExitCode) LoadEnvironment(string root, string name, TextWriter stderr)
    {
        var (input, exitCode) = Load(root, null, null, stderr);
        if (input is null)
        {
            return (null, null, exitCode);
        }
        return EnvironmentsExist(input.Specs, [name], stderr)
            ? (input.Specs, input.Specs.Environment(name)!, (int)ExitCode.Success)
            : (null, null, (int)ExitCode.Usage);
    }

    /// <summary>
    /// Reads and validates the repository, then the live state ('-': standard input). On failure prints what is wrong
    /// and returns no input with the exit code: 1 for spec errors, 2 for I/O or usage problems.
    /// </summary>
    /// <param name="specErrors">Called with the findings when the specs have errors (and nothing is returned), for a
    /// command that reports them in its own output too.</param>
    public static (CliInput? Input, int ExitCode) Load(string root, string? livePath, string? commit, TextWriter stderr,
        Action<string?, IReadOnlyList<Diagnostic>>? specErrors = null)
    {
        if (!Directory.Exists(root))
        {
            stderr.WriteLine($"error: repository folder '{root}' does not exist. Pass the repository's PATH or run from its root.");
            return (null, (int)ExitCode.Usage);
        }
        IReadOnlyList<SourceFile> files;
        try
        {
            files = SpecFileReader.Read(root);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            stderr.WriteLine($"error: cannot read specs under '{root}': {ex.Message.TrimEnd('.')}. Check that the files are readable, or pass another PATH.");
            return (null, (int)ExitCode.Usage);
        }
        if (files.Count == 0)
        {
            stderr.WriteLine($"error: no specs under '{Path.GetFullPath(root)}' (looked in environments/, models/, policies/). Pass the repository's PATH.");
            return (null, (int)ExitCode.Usage);
        }
        // HEAD is read (LibGit2Sharp's native library loaded, the repository opened) on another core while the specs
        // are validated.
        var head = commit is null ? Task.Run(() => GitHead.Read(root)) : Task.FromResult<string?>(commit);
        var load = RepositoryValidator.Validate(files);
        foreach (var d in load.Diagnostics)
        {
            stderr.WriteLine(d.ToString());
        }
        if (load.HasErrors)
        {
            stderr.WriteLine($"The specs have {load.Diagnostics.Count(d => d.IsError)} error(s): nothing rendered or planned. Fix them and run again ('gitops validate' shows the same list).");
            specErrors?.Invoke(head.Result, load.Diagnostics);
            return (null, (int)ExitCode.Findings);
        }
        IReadOnlyList<System.Text.Json.Nodes.JsonObject> observed = [];
        if (livePath is not null)
        {
            byte[] text;
            try
            {
                text = StandardInput.ReadAllBytes(livePath);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
            {
                stderr.WriteLine($"error: cannot read live state '{livePath}': {ex.Message}");
                stderr.WriteLine($"Create it with '{LiveStateHint.KubectlGet} > live.yaml' (leave out kinds your cluster does not serve), or pass '-' to read standard input.");
                return (null, (int)ExitCode.Usage);
            }
            var parsed = LiveState.Parse(text, StandardInput.IsStandardInput(livePath) ? "<stdin>" : livePath);
            foreach (var d in parsed.Diagnostics)
            {
                stderr.WriteLine(d.ToString());
            }
            if (parsed.HasErrors)
            {
                stderr.WriteLine("The live state could not be read: nothing planned (a partial live state would plan wrong deletions).");
                return (null, (int)ExitCode.Usage);
            }
            observed = parsed.Objects;
        }
        return (new CliInput(load.Specs, observed, ObservedFacts.From(observed), head.GetAwaiter().GetResult() ?? "unknown"), 0);
    }
}

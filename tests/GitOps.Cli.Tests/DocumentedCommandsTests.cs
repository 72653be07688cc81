using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;
using GitOps.Cli.Conventions;
using GitOps.Testing.FakeKubernetes;
using GitOps.Testing.Golden;
using Xunit;

namespace GitOps.Cli.Tests;

/// <summary>
/// Runs every <c>gitops</c> command shown in the README and in docs/getting-started.md, as written, in document order,
/// from a copy of the repository: commands in <c>bash</c> blocks and in inline code. Each one must parse, exit as the
/// document says, and print what the document shows where it shows output. A command that changed its name or options,
/// or that no longer works on the example repository, fails the test.
/// </summary>
public sealed partial class DocumentedCommandsTests
{
    /// <summary>A command of a document: where it is, and its arguments after <c>gitops</c>.</summary>
    public sealed record DocumentedCommand(string Document, int Line, string Text, ImmutableArray<string> Args, string? StdoutFile, string? ExpectedOutput);

    /// <summary>Commands not run, each with why running it is impossible in a test; they are still parsed.</summary>
    private static string? WhyNotRun(DocumentedCommand command) => command.Args switch
    {
        ["up", ..] => "stays in the foreground training and serving until Ctrl+C; UpProcessTests runs gitops up on a copy of this repository",
        ["reconcile", ..] when command.Args.Any(a => a.StartsWith("https://github.com/acme/", StringComparison.Ordinal)) =>
            "clones an example GitHub URL (no network in tests); ReconcileProcessTests runs reconcile --once against a local repository",
        _ => null,
    };

    public sealed class TheReadmeAndTheGettingStartedGuide
    {
        [Fact]
        public async Task Should_Run_Every_Command_They_Show_As_Written() =>
            await RunDocumentsAsync(("README.md", 15), ("docs/getting-started.md", 8));
    }

    public sealed class TheSampleLiveState
    {
        private const string Sample = "docs/examples/live-prod.yaml";

        [Fact]
        public async Task Should_Be_What_The_Prod_Environment_Renders_With_One_Field_Edited_By_Hand()
        {
            // Given what a first deploy of prod leaves in the cluster
            var rendered = await CliRunner.RunAsync("render", RepositoryPaths.Root, "--env", "prod", "--commit", "f37b4c399a0668c9d95be3143c5dc3e52e8170e1");
            Assert.Equal(0, rendered.ExitCode);

            // When someone edits the default-deny NetworkPolicy by hand (prod never trains, so it has no training Job)
            var edited = new Regex("    - Ingress\n    - Egress\n").Replace(rendered.Stdout, "    - Ingress\n", 1);
            Assert.NotEqual(rendered.Stdout, edited);

            // Then (GITOPS_UPDATE_GOLDEN=1 rewrites the sample when the render changes)
            GoldenFile.AssertMatches(Sample, """
                # A sample live state for 'gitops plan --env prod --live docs/examples/live-prod.yaml': the objects of the prod
                # environment as 'kubectl get ... -o yaml' prints them after a first deploy, with one field edited by hand (the
                # default-deny NetworkPolicy lost its Egress policy type), so the plan shows how it reports drift. Make your own with the kubectl command in
                # docs/planning.md (a missing --live file prints it too).

                """ + edited);
        }

        [Fact]
        public async Task Should_Plan_Exactly_The_Hand_Edit_Back()
        {
            // Given / When
            var plan = await CliRunner.RunAsync("plan", RepositoryPaths.Root, "--env", "prod", "--live", RepositoryPaths.Combine(Sample));

            // Then
            Assert.Equal(0, plan.ExitCode);
            Assert.Contains("0 to create, 1 to update, 0 to delete", plan.Stdout);
            Assert.Contains("policyTypes", plan.Stdout);
        }

        [Fact]
        public async Task Should_Be_Made_With_The_Kubectl_Command_The_Docs_And_The_Program_Show()
        {
            // Given / When
            var missing = await CliRunner.RunAsync("plan", RepositoryPaths.Root, "--env", "prod", "--live", Path.Combine(Path.GetTempPath(), $"gitops-missing-{Guid.NewGuid():N}.yaml"));

            // Then
            Assert.Equal(2, missing.ExitCode);
            Assert.Contains(LiveStateHint.KubectlGet, missing.Stderr);
            Assert.Contains(LiveStateHint.KubectlGet, File.ReadAllText(RepositoryPaths.Combine("docs", "planning.md")));
        }
    }

    public sealed class TheExtraction
    {
        [Fact]
        public void Should_Find_Commands_In_Blocks_And_Inline_Code_And_Leave_Out_Templates()
        {
            // Given
            const string Markdown = """
                Run `gitops validate` or `dotnet run --project platform/GitOps.Cli -- plan --all`; `gitops COMMAND --help`
                and `gitops artifacts fetch|push` are templates, `source <(gitops completion bash)` is a command.

                ```bash
                gitops plan --env prod -o markdown   # a comment
                gitops validate -o sarif > out.sarif
                kubectl apply -k deploy
                ```

                This is what `gitops validate broken` prints:

                ```text
                error
                ```
                """;

            // When
            var commands = Extract("doc.md", Markdown);

            // Then
            Assert.Equal(
                ["validate", "plan --all", "completion bash", "plan --env prod -o markdown", "validate -o sarif", "validate broken"],
                commands.Select(c => string.Join(' ', c.Args)));
            Assert.Equal(5, commands[3].Line);
            Assert.Equal("out.sarif", commands[4].StdoutFile);
            Assert.Equal("error\n", commands[5].ExpectedOutput);
        }
    }

    /// <summary>
    /// Runs the commands of the documents in one copy of the repository, in document order. A command shown more than
    /// once runs once (where it first appears); a failure names every place that shows it.
    /// </summary>
    private static async Task RunDocumentsAsync(params (string Document, int Minimum)[] documents)
    {
        // Given a copy of the repository, and beside it the '../ml-platform' the documents use as another checkout
        var work = Directory.CreateTempSubdirectory("gitops-documented-").FullName;
        var clone = Path.Combine(work, "clone");
        var session = new Session(clone);
        try
        {
            foreach (var folder in new[] { "environments", "models", "policies", "docs/examples", "tests/GitOps.Cli.Tests/testdata/validate/broken-repo" })
            {
                Copy(RepositoryPaths.Combine(folder), Path.Combine(clone, folder));
            }
            foreach (var folder in new[] { "environments", "models", "policies" })
            {
                Copy(RepositoryPaths.Combine(folder), Path.Combine(work, "ml-platform", folder));
            }
            var commands = new List<DocumentedCommand>();
            foreach (var (document, minimum) in documents)
            {
                var found = Extract(document, File.ReadAllText(RepositoryPaths.Combine(document)));
                Assert.True(found.Count >= minimum, $"found only {found.Count} commands in {document}: the extraction is broken");
                commands.AddRange(found);
            }

            // When
            var failures = new List<string>();
            foreach (var same in commands.GroupBy(c => (c.Text, c.StdoutFile, c.ExpectedOutput)))
            {
                if (await session.RunAsync(same.First()) is { } failure)
                {
                    failures.Add($"{string.Join(", ", same.Select(c => $"{c.Document}:{c.Line}"))}: `{same.Key.Text}`: {failure}");
                }
            }

            // Then
            Assert.True(failures.Count == 0, string.Join("\n\n", failures));
        }
        finally
        {
            await session.DisposeAsync();
            Directory.Delete(work, recursive: true);
        }
    }

    /// <summary>The commands of a document, in order.</summary>
    public static IReadOnlyList<DocumentedCommand> Extract(string document, string markdown)
    {
        var lines = markdown.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        var commands = new List<DocumentedCommand>();
        string? fence = null;
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i];
            if (line.TrimStart().StartsWith("```", StringComparison.Ordinal))
            {
                fence = fence is null ? line.Trim()[3..].Trim() : null;
                continue;
            }
            if (fence is not null)
            {
                if (fence is "bash" or "sh" or "shell" or "console")
                {
                    Add(commands, document, i + 1, Comment().Replace(line.Trim().TrimStart('$').Trim(), ""), null);
                }
                continue;
            }
            foreach (Match span in InlineCode().Matches(line))
            {
                Add(commands, document, i + 1, span.Groups[1].Value, FollowingTextBlock(lines, i));
            }
        }
        return commands;
    }

    private static void Add(List<DocumentedCommand> commands, string document, int line, string text, string? expectedOutput)
    {
        const string FromClone = "dotnet run --project platform/GitOps.Cli --";
        text = text.Trim();
        if (text.StartsWith("source <(", StringComparison.Ordinal) && text.EndsWith(')'))
        {
            text = text["source <(".Length..^1];
        }
        if (text.StartsWith(FromClone, StringComparison.Ordinal))
        {
            text = "gitops" + text[FromClone.Length..];
        }
        if (text != "gitops" && !text.StartsWith("gitops ", StringComparison.Ordinal) && !text.StartsWith("curl ", StringComparison.Ordinal))
        {
            return;
        }
        string? stdoutFile = null;
        if (text.IndexOf(" > ", StringComparison.Ordinal) is var redirect and > 0)
        {
            stdoutFile = text[(redirect + 3)..].Trim();
            text = text[..redirect].Trim();
        }
        var words = Words(text);
        // A template names a placeholder (COMMAND, DIR) or alternatives (fetch|push): it is not a command to run.
        if (words.Any(w => w.Contains('|', StringComparison.Ordinal) || w.Contains("...", StringComparison.Ordinal) || Placeholder().IsMatch(w)))
        {
            return;
        }
        commands.Add(new DocumentedCommand(document, line, text, [.. words.Skip(1)], stdoutFile, expectedOutput));
    }

    /// <summary>The <c>text</c> block right after a paragraph that names a command: what the command prints.</summary>
    private static string? FollowingTextBlock(string[] lines, int at)
    {
        for (var i = at + 1; i < Math.Min(lines.Length, at + 4); i++)
        {
            if (lines[i].Trim() == "```text")
            {
                var end = Array.FindIndex(lines, i + 1, l => l.Trim() == "```");
                return string.Join("", lines[(i + 1)..end].Select(l => l + "\n"));
            }
            if (lines[i].TrimStart().StartsWith("```", StringComparison.Ordinal))
            {
                return null;
            }
        }
        return null;
    }

    private static List<string> Words(string text)
    {
        var words = new List<string>();
        var current = new StringBuilder();
        char? quote = null;
        var inWord = false;
        foreach (var c in text)
        {
            if (quote is not null)
            {
                if (c == quote)
                {
                    quote = null;
                }
                else
                {
                    current.Append(c);
                }
            }
            else if (c is '\'' or '"')
            {
                quote = c;
                inWord = true;
            }
            else if (char.IsWhiteSpace(c))
            {
                if (inWord)
                {
                    words.Add(current.ToString());
                    current.Clear();
                    inWord = false;
                }
            }
            else
            {
                current.Append(c);
                inWord = true;
            }
        }
        if (inWord)
        {
            words.Add(current.ToString());
        }
        return words;
    }

    /// <summary>Copies a folder with everything in it (also used by tests that need a copy of the example repository).</summary>
    internal static void Copy(string source, string target)
    {
        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            var to = Path.Combine(target, Path.GetRelativePath(source, file));
            Directory.CreateDirectory(Path.GetDirectoryName(to)!);
            File.Copy(file, to);
        }
    }

    /// <summary>Runs the commands of one document in its copy of the repository, keeping servers they start.</summary>
    private sealed class Session(string clone) : IAsyncDisposable
    {
        private static readonly TimeSpan CommandTimeout = TimeSpan.FromMinutes(3);
        private readonly List<Process> _servers = [];
        private readonly Dictionary<string, Uri> _served = new(StringComparer.Ordinal);
        private FakeKubernetesApiServer? _cluster;

        /// <summary>Runs <paramref name="command"/>; returns what went wrong, or null.</summary>
        public async Task<string?> RunAsync(DocumentedCommand command)
        {
            if (command.Text.StartsWith("curl ", StringComparison.Ordinal))
            {
                return await CurlAsync(command);
            }
            var parse = GitOpsCommandLine.Build().Parse([.. command.Args]);
            if (parse.Errors.Count > 0)
            {
                return "does not parse: " + string.Join("; ", parse.Errors.Select(e => e.Message));
            }
            if (WhyNotRun(command) is not null)
            {
                return null;
            }
            var args = command.Args.ToList();
            var variables = new Dictionary<string, string>();
            if (args is ["serve", ..])
            {
                return await StartServerAsync(args);
            }
            if (args.Contains("--live-cluster"))
            {
                variables["KUBECONFIG"] = await KubeconfigAsync(args[args.IndexOf("--context") + 1]);
            }
            var (code, stdout, stderr) = await RunProcessAsync(args, variables);
            var expectedCode = args.Contains("--detailed-exitcode") ? 2 : command.ExpectedOutput?.Contains("✗ validate", StringComparison.Ordinal) == true ? 1 : 0;
            if (code != expectedCode)
            {
                return $"exited {code}, expected {expectedCode}\nstdout:\n{stdout}\nstderr:\n{stderr}";
            }
            if (command.ExpectedOutput is { } expected && stdout != expected)
            {
                return $"prints something else than the document shows:\n{stdout}";
            }
            if (command.StdoutFile is { } file)
            {
                await File.WriteAllTextAsync(Path.Combine(clone, file), stdout);
            }
            return null;
        }

        private async Task<(int Code, string Stdout, string Stderr)> RunProcessAsync(IEnumerable<string> args, IReadOnlyDictionary<string, string> variables)
        {
            using var process = Process.Start(StartInfo(args, variables))!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(CommandTimeout);
            try
            {
                await process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                return (-1, await stdout, $"did not finish within {CommandTimeout}\n" + await stderr);
            }
            return (process.ExitCode, await stdout, await stderr);
        }

        private ProcessStartInfo StartInfo(IEnumerable<string> args, IReadOnlyDictionary<string, string> variables)
        {
            var psi = new ProcessStartInfo("dotnet")
            {
                WorkingDirectory = clone,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "gitops.dll"));
            foreach (var arg in args)
            {
                psi.ArgumentList.Add(arg);
            }
            // What the reader's shell would not have set: the machine's own defaults for gitops.
            foreach (var name in psi.Environment.Keys.Where(k => k.StartsWith("GITOPS_", StringComparison.Ordinal) || k is "NO_COLOR" or "KUBECONFIG").ToList())
            {
                psi.Environment.Remove(name);
            }
            foreach (var (name, value) in variables)
            {
                psi.Environment[name] = value;
            }
            return psi;
        }

        /// <summary>
        /// Starts a documented <c>serve</c> on any free port instead of the documented one (a test machine may have it
        /// taken); a later <c>curl</c> of the documented port is sent to the port it got.
        /// </summary>
        private async Task<string?> StartServerAsync(List<string> args)
        {
            var port = args.IndexOf("--port");
            var documented = port >= 0 ? args[port + 1] : "8080";
            if (port >= 0)
            {
                args[port + 1] = "0";
            }
            else
            {
                args.AddRange(["--port", "0"]);
            }
            var log = new ConcurrentQueue<string>();
            var server = Process.Start(StartInfo(args, new Dictionary<string, string>()))!;
            _servers.Add(server);
            server.OutputDataReceived += (_, e) => log.Enqueue(e.Data ?? "");
            server.ErrorDataReceived += (_, e) => log.Enqueue(e.Data ?? "");
            server.BeginOutputReadLine();
            server.BeginErrorReadLine();
            var deadline = DateTime.UtcNow + CommandTimeout;
            while (DateTime.UtcNow < deadline && !server.HasExited)
            {
                if (log.Select(l => ListeningOn().Match(l)).FirstOrDefault(m => m.Success) is { } listening)
                {
                    _served[documented] = new Uri(listening.Groups["url"].Value);
                    return null;
                }
                await Task.Delay(50);
            }
            return $"did not start listening:\n{string.Join("\n", log)}";
        }

        private async Task<string?> CurlAsync(DocumentedCommand command)
        {
            var url = Words(command.Text).Skip(1).Single(w => !w.StartsWith('-'));
            var documented = Regex.Match(url, @"^(?:https?://)?[^/:]+:(?<port>\d+)(?<path>/.*)$");
            if (!documented.Success || !_served.TryGetValue(documented.Groups["port"].Value, out var server))
            {
                return "calls no server a documented command started";
            }
            using var http = new HttpClient();
            using var response = await http.GetAsync(new Uri(server, documented.Groups["path"].Value));
            return response.IsSuccessStatusCode ? null : $"answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}";
        }

        /// <summary>A kubeconfig whose context <paramref name="context"/> points at an in-process Kubernetes API server.</summary>
        private async Task<string> KubeconfigAsync(string context)
        {
            const string Token = "documented-commands";
            _cluster ??= await FakeKubernetesApiServer.StartAsync(new FakeKubernetesApiServerOptions { BearerToken = Token });
            // A colon-separated list, as kubectl reads it: the context is in the second file only.
            var other = _cluster.WriteKubeconfig(Path.Combine(clone, "..", "kubeconfig-other"), contextName: "other", token: Token);
            return other + Path.PathSeparator + _cluster.WriteKubeconfig(Path.Combine(clone, "..", $"kubeconfig-{context}"), contextName: context, token: Token);
        }

        public async ValueTask DisposeAsync()
        {
            foreach (var server in _servers)
            {
                if (!server.HasExited)
                {
                    server.Kill(entireProcessTree: true);
                    await server.WaitForExitAsync();
                }
                server.Dispose();
            }
            _servers.Clear();
            if (_cluster is not null)
            {
                await _cluster.DisposeAsync();
                _cluster = null;
            }
        }
    }

    [GeneratedRegex(@"`([^`]+)`")]
    private static partial Regex InlineCode();

    [GeneratedRegex(@"\s+#.*$")]
    private static partial Regex Comment();

    [GeneratedRegex(@"^[A-Z][A-Z0-9_]+$")]
    private static partial Regex Placeholder();

    [GeneratedRegex(@" on (?<url>http://127\.0\.0\.1:\d+)")]
    private static partial Regex ListeningOn();
}

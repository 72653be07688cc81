using System.Diagnostics;
using System.Globalization;
using GitOps.Cli.Tests.Support;
using GitOps.Planning.Cluster;
using GitOps.Testing.FakeKubernetes;
using GitOps.Testing.Generators;
using GitOps.Testing.Git;
using Xunit;

namespace GitOps.Cli.Tests;

/// <summary>
/// <c>gitops reconcile</c> as a real process against the fake API server over HTTP on 127.0.0.1 and a real Git
/// repository: what a pod restart or an OOM kill does to the cluster and to leadership.
/// </summary>
public sealed class ReconcileProcessTests
{
    private const string Namespace = "ml";
    private const string StateNamespace = "gitops-system";

    /// <summary>Starts <c>gitops reconcile</c> with leader election; its output goes to <paramref name="log"/>.</summary>
    private static Process StartReconciler(string repository, string kubeconfig, string identity, string workdir,
        System.Collections.Concurrent.ConcurrentQueue<string> log, params string[] extra)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[]
                 {
                     Path.Combine(AppContext.BaseDirectory, "gitops.dll"), "reconcile", "--repo", repository, "--env", "prod",
                     "--kubeconfig", kubeconfig, "--namespace", StateNamespace, "--identity", identity, "--workdir", workdir,
                     "--listen", "127.0.0.1:0",
                 }.Concat(extra.Contains("--interval") ? extra : ["--interval", "2s", .. extra]))
        {
            psi.ArgumentList.Add(arg);
        }
        var process = Process.Start(psi)!;
        process.OutputDataReceived += (_, e) => log.Enqueue($"{identity}: {e.Data}");
        process.ErrorDataReceived += (_, e) => log.Enqueue($"{identity}! {e.Data}");
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static int ManagedCount(FakeKubernetesApiServer server) =>
        ManagedKinds.All.Sum(k => server.ListObjects(k.ApiVersion, k.Kind, Namespace).Count);

    private static string? LastAppliedCommit(FakeKubernetesApiServer server) =>
        server.GetObject("v1", "ConfigMap", StateNamespace, "gitops-status-prod")?["data"]?["lastAppliedCommit"]?.GetValue<string>();

    private static string? LeaseHolder(FakeKubernetesApiServer server) =>
        server.GetObject("coordination.k8s.io/v1", "Lease", StateNamespace, "gitops-reconciler")?["spec"]?["holderIdentity"]?.GetValue<string>();

    private static DateTimeOffset Time(System.Text.Json.Nodes.JsonNode? node) =>
        DateTimeOffset.Parse(node!.GetValue<string>(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);

    private static async Task Eventually(Func<bool> condition, TimeSpan timeout, string what, IEnumerable<string> log, Process running)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            if (running.HasExited)
            {
                Assert.Fail($"the reconciler exited ({running.ExitCode}) before {what}; its output:\n{string.Join("\n", log.TakeLast(40))}");
            }
            Assert.True(DateTime.UtcNow < deadline, $"{what} did not happen before the deadline; reconciler output:\n{string.Join("\n", log.TakeLast(40))}");
            await Task.Delay(20);
        }
    }

    public sealed class TheReconcileCommand : IDisposable
    {
        private readonly string _dir = Directory.CreateTempSubdirectory("gitops-reconcile-process-").FullName;

        private readonly System.Collections.Concurrent.ConcurrentQueue<string> _log = new();

        private readonly List<Process> _processes = [];

        /// <summary>No reconciler outlives the test, whatever happened in it.</summary>
        public void Dispose()
        {
            foreach (var process in _processes)
            {
                if (!process.HasExited)
                {
                    process.Kill(entireProcessTree: true);
                    process.WaitForExit();
                }
                process.Dispose();
            }
            Directory.Delete(_dir, recursive: true);
        }

        private Process Start(string repository, string kubeconfig, string identity, params string[] extra)
        {
            var process = StartReconciler(repository, kubeconfig, identity, Path.Combine(_dir, identity), _log, extra);
            _processes.Add(process);
            return process;
        }

        [Fact]
        public async Task Should_Finish_The_Pass_In_Flight_Release_The_Lease_And_Exit_Zero_When_Sent_SIGTERM()
        {
            // Given a leader process in the middle of a slow pass (each apply takes seconds), polling once an hour
            await using var server = await FakeKubernetesApiServer.StartAsync(new FakeKubernetesApiServerOptions { BearerToken = "process-test-token" });
            var kubeconfig = server.WriteKubeconfig(Path.Combine(_dir, "kubeconfig"), @namespace: Namespace);
            using var repo = FakeGitRepo.Create();
            var commit = repo.Commit("eight models",
                SingleEnvironmentRepository.Files(Namespace, Enumerable.Range(1, 8).Select(i => ($"model-{i:00}", 100))));
            server.DelayNext(1000, TimeSpan.FromSeconds(3), verb: "apply");
            var a = Start(repo.Path, kubeconfig, "replica-a", "--interval", "1h", "--shutdown-timeout", "2m");
            await Eventually(() => ManagedCount(server) >= 1, TimeSpan.FromSeconds(60), "the first applies", _log, a);
            Assert.NotEqual(commit, LastAppliedCommit(server));
            Assert.Equal("replica-a", LeaseHolder(server));

            // When it is asked to stop, as the kubelet does
            Assert.Equal(0, Signals.Kill(a.Id, Signals.Sigterm));
            var exited = await Task.WhenAny(a.WaitForExitAsync(), Task.Delay(TimeSpan.FromMinutes(2))) is var done && a.HasExited;

            // Then the pass it was in finished, the Lease is free for the next replica, and it exited cleanly
            Assert.True(exited, $"the reconciler did not exit after SIGTERM; its output:\n{string.Join("\n", _log.TakeLast(40))}");
            await done;
            Assert.Equal(0, a.ExitCode);
            Assert.Equal(commit, LastAppliedCommit(server));
            Assert.Equal(16, ManagedCount(server));
            Assert.Equal("", LeaseHolder(server));
            var output = string.Join("\n", _log);
            Assert.DoesNotContain("   at ", output, StringComparison.Ordinal);
            Assert.DoesNotContain("fail:", output, StringComparison.Ordinal);
            Assert.DoesNotContain("internal error", output, StringComparison.Ordinal);
            Assert.DoesNotContain("Exception", output, StringComparison.Ordinal);
        }

        [Fact]
        public async Task Should_Converge_Without_Duplicates_After_The_Leader_Process_Is_Killed_Mid_Apply()
        {
            // Given a leader process applying eight models slowly (two objects each)
            await using var server = await FakeKubernetesApiServer.StartAsync(new FakeKubernetesApiServerOptions { BearerToken = "process-test-token" });
            var kubeconfig = server.WriteKubeconfig(Path.Combine(_dir, "kubeconfig"), @namespace: Namespace);
            using var repo = FakeGitRepo.Create();
            var commit = repo.Commit("eight models",
                SingleEnvironmentRepository.Files(Namespace, Enumerable.Range(1, 8).Select(i => ($"model-{i:00}", 100))));
            server.DelayNext(1000, TimeSpan.FromMilliseconds(600), verb: "apply");
            var a = Start(repo.Path, kubeconfig, "replica-a");

            // When it is killed outright (no shutdown, no Lease release) after some objects were applied
            await Eventually(() => ManagedCount(server) >= 3, TimeSpan.FromSeconds(60), "the first applies", _log, a);
            a.Kill(entireProcessTree: true);
            await a.WaitForExitAsync();
            var partial = ManagedCount(server);
            Assert.InRange(partial, 3, 15);
            Assert.NotEqual(commit, LastAppliedCommit(server));
            Assert.Equal("replica-a", LeaseHolder(server));
            var deadLease = server.GetObject("coordination.k8s.io/v1", "Lease", StateNamespace, "gitops-reconciler")!["spec"]!;
            var expires = Time(deadLease["renewTime"]) + TimeSpan.FromSeconds(deadLease["leaseDurationSeconds"]!.GetValue<int>());

            // Then a second process takes over once the dead leader's Lease expires, and converges exactly once
            var b = Start(repo.Path, kubeconfig, "replica-b");
            await Eventually(() => LastAppliedCommit(server) == commit, TimeSpan.FromSeconds(120), "convergence by replica-b", _log, b);
            Assert.Equal("replica-b", LeaseHolder(server));
            // Never two leaders: the Lease was taken over only after the dead leader's term ran out.
            var lease = server.GetObject("coordination.k8s.io/v1", "Lease", StateNamespace, "gitops-reconciler")!["spec"]!;
            Assert.True(Time(lease["acquireTime"]) >= expires, $"acquired {lease["acquireTime"]}, the dead leader's term ended {expires:O}");
            Assert.True(lease["leaseTransitions"]!.GetValue<int>() >= 1);
            var names = ManagedKinds.All
                .SelectMany(k => server.ListObjects(k.ApiVersion, k.Kind, Namespace).Select(o => $"{k.Kind}/{o["metadata"]!["name"]}"))
                .ToList();
            Assert.Equal(16, names.Count);
            Assert.Equal(16, names.Distinct().Count());
            Assert.Equal(8, names.Count(n => n.StartsWith("Job/", StringComparison.Ordinal)));
            Assert.Equal(8, names.Count(n => n.StartsWith("ConfigMap/", StringComparison.Ordinal)));
        }
    }
}

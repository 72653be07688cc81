using System.Collections.Concurrent;
using System.Diagnostics;
using GitOps.Cli.Tests.Support;
using GitOps.Specs.Contracts;
using Xunit;

namespace GitOps.Cli.Tests;

public sealed class InterruptTests
{
    public sealed class ACommandInterrupted : IDisposable
    {
        private readonly string _dir = Directory.CreateTempSubdirectory("gitops-interrupt-").FullName;

        public void Dispose() => Directory.Delete(_dir, recursive: true);

        [Theory]
        [InlineData(Signals.Sigint)]
        [InlineData(Signals.Sigterm)]
        public async Task Should_Say_Interrupted_And_Exit_130_Not_Report_A_Bug(int signal)
        {
            // Given 'gitops train example' as a real process, past generating its dataset and into training, with SIGINT
            // at its default as a terminal's foreground command has it: a test run started in the background inherits
            // SIGINT ignored, and a program started so rightly keeps ignoring it
            var psi = new ProcessStartInfo("env") { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var arg in new[] { "--default-signal=INT", "dotnet", Path.Combine(AppContext.BaseDirectory, "gitops.dll"), "train", "example", "--out", Path.Combine(_dir, "out") })
            {
                psi.ArgumentList.Add(arg);
            }
            using var process = Process.Start(psi)!;
            var stdout = new ConcurrentQueue<string>();
            var stderr = new ConcurrentQueue<string>();
            var generated = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            process.OutputDataReceived += (_, e) =>
            {
                if (e.Data is { } line)
                {
                    stdout.Enqueue(line);
                    if (line.StartsWith("Generated ", StringComparison.Ordinal))
                    {
                        generated.TrySetResult();
                    }
                }
            };
            process.ErrorDataReceived += (_, e) => stderr.Enqueue(e.Data ?? "");
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            try
            {
                await generated.Task.WaitAsync(TimeSpan.FromMinutes(2));

                // When
                Assert.Equal(0, Signals.Kill(process.Id, signal));
                using var wait = new CancellationTokenSource(TimeSpan.FromMinutes(2));
                await process.WaitForExitAsync(wait.Token);

                // Then
                var errors = string.Join('\n', stderr);
                Assert.True((int)ExitCode.Interrupted == process.ExitCode, $"exit {process.ExitCode}\n{errors}\n{string.Join('\n', stdout)}");
                Assert.Contains("interrupted", errors, StringComparison.Ordinal);
                Assert.DoesNotContain("internal error", errors, StringComparison.Ordinal);
                Assert.DoesNotContain("   at ", errors, StringComparison.Ordinal);
            }
            finally
            {
                if (!process.HasExited)
                {
                    process.Kill(entireProcessTree: true);
                }
            }
        }
    }
}

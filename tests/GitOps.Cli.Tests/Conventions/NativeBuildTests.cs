using System.CommandLine;
using System.Text.RegularExpressions;
using GitOps.Cli.Conventions;
using GitOps.Testing;
using GitOps.Testing.Golden;
using Xunit;

namespace GitOps.Cli.Tests.Conventions;

public sealed class NativeBuildTests
{
    public sealed class TheRefusalMethod
    {
        [Theory]
        [InlineData("train")]
        [InlineData("serve")]
        [InlineData("reconcile")]
        [InlineData("up")]
        public void Should_Name_The_Command_And_Where_To_Run_It_When_The_Native_Build_Does_Not_Run_It(string command)
        {
            // Given / When
            var refusal = NativeBuild.Refusal(command, dynamicCodeSupported: false);

            // Then
            Assert.NotNull(refusal);
            Assert.StartsWith($"'gitops {command}' is not part of the native build", refusal);
            Assert.Contains("validate", refusal);
            Assert.Contains("--target=Publish", refusal);
        }

        [Theory]
        [InlineData("validate")]
        [InlineData("plan")]
        [InlineData("render")]
        public void Should_Let_The_Command_Run_When_The_Native_Build_Runs_It(string command)
        {
            // Given / When / Then
            Assert.Null(NativeBuild.Refusal(command, dynamicCodeSupported: false));
        }

        [Fact]
        public void Should_Let_Every_Command_Run_When_Code_Can_Be_Generated_At_Run_Time()
        {
            // Given every top-level command of the CLI
            var commands = GitOpsCommandLine.Build().Subcommands.Select(c => c.Name).ToList();

            // When
            var refusals = commands.Select(c => NativeBuild.Refusal(c, dynamicCodeSupported: true)).OfType<string>().ToList();

            // Then
            Assert.Contains("train", commands);
            Assert.Empty(refusals);
        }

        [Fact]
        public void Should_Only_Name_Commands_The_Cli_Has()
        {
            // Given
            var commands = GitOpsCommandLine.Build().Subcommands.Select(c => c.Name).ToHashSet();

            // When / Then
            Assert.All(NativeBuild.Commands, c => Assert.Contains(c, commands));
        }

        [Theory]
        [InlineData("train --data d.csv --model models/fraud-detector", "train")]
        [InlineData("--color never serve --model model.onnx", "serve")]
        [InlineData("rollout status --env prod", "rollout")]
        public void Should_Refuse_The_Top_Level_Command_The_Arguments_Name_When_Root_Options_Or_Subcommands_Surround_It(string line, string command)
        {
            // Given
            var args = line.Split(' ');
            var parse = GitOpsCommandLine.BuildFor(args).Parse(args);

            // When
            var refusal = NativeBuild.Refusal(parse, dynamicCodeSupported: false);

            // Then
            Assert.StartsWith($"'gitops {command}' is not part of the native build", refusal);
        }

        [Theory]
        [InlineData("--color never validate")]
        [InlineData("train --help")]
        [InlineData("--help")]
        [InlineData("trian")]
        public void Should_Let_Help_Checks_And_Typos_Through_When_The_Native_Build_Parses_Them(string line)
        {
            // Given
            var args = line.Split(' ');
            var parse = GitOpsCommandLine.BuildFor(args).Parse(args);

            // When / Then
            Assert.Null(NativeBuild.Refusal(parse, dynamicCodeSupported: false));
        }
    }

    public sealed class ThePlaceholderMethod
    {
        [Theory]
        [InlineData("train --data d.csv --model models/fraud-detector --epochs x")]
        [InlineData("serve")]
        [InlineData("reconcile --repo . --no-such-option")]
        public void Should_Refuse_Whatever_Follows_The_Name_With_The_Forms_That_Run_The_Command(string line)
        {
            // Given a root holding the placeholder of the command the line names, as the native build's does
            var args = line.Split(' ');
            var root = new RootCommand { NativeBuild.Placeholder(args[0])() };
            var stderr = new StringWriter();

            // When
            var parse = root.Parse(args);
            var exit = parse.Invoke(new InvocationConfiguration { Output = new StringWriter(), Error = stderr });

            // Then the arguments parse (the refusal is the one answer), and a run is refused as the native build refuses it
            Assert.Empty(parse.Errors);
            Assert.Equal(NativeBuild.Refusal(parse, dynamicCodeSupported: false), NativeBuild.Refusal(args[0], dynamicCodeSupported: false));
            Assert.Equal(2, exit);
            Assert.Equal($"error: {NativeBuild.Refusal(args[0], dynamicCodeSupported: false)}", stderr.ToString().Trim());
        }

        [Fact]
        public void Should_Stand_In_The_Command_Table_For_Exactly_The_Commands_The_Native_Build_Refuses()
        {
            // Given the command table as written: a refused command that is not a placeholder there is compiled into
            // the native image for nothing, with all it uses; a command the native build runs must never be one
            var source = File.ReadAllText(RepositoryPaths.Combine("platform", "GitOps.Cli", "GitOpsCommandLine.cs"));
            var placeholders = Regex.Matches(source, @"NativeBuild\.Placeholder\(""([a-z-]+)""\)").Select(m => m.Groups[1].Value).ToList();

            // When
            var refused = GitOpsCommandLine.Build().Subcommands.Select(c => c.Name).Where(n => !NativeBuild.Commands.Contains(n)).ToList();

            // Then
            Assert.Contains("train", refused);
            Assert.Equal(refused.Order(StringComparer.Ordinal), placeholders.Order(StringComparer.Ordinal));
        }

        [Fact]
        public void Should_Say_In_Help_That_The_Command_Is_Not_Part_Of_The_Native_Build()
        {
            // Given / When
            var command = NativeBuild.Placeholder("serve")();

            // Then
            Assert.Equal("serve", command.Name);
            Assert.StartsWith("Not part of the native build", command.Description);
        }
    }

    public sealed class TheHugePageAdvice
    {
        // A program with 8 MiB of zero-filled data; it prints the kernel's flags for the mapping that holds the middle
        // of that data ("hg": huge pages advised).
        private const string Probe = """
            #include <stdio.h>
            #include <string.h>
            static char data[8 << 20];
            int main(void)
            {
                unsigned long middle = (unsigned long)&data[4 << 20];
                data[4 << 20] = 1;
                FILE *maps = fopen("/proc/self/smaps", "r");
                char line[512];
                int inside = 0;
                while (maps && fgets(line, sizeof line, maps))
                {
                    unsigned long from, to;
                    if (sscanf(line, "%lx-%lx ", &from, &to) == 2)
                    {
                        inside = middle >= from && middle < to;
                    }
                    else if (inside && strncmp(line, "VmFlags:", 8) == 0)
                    {
                        fputs(line, stdout);
                    }
                }
                return 0;
            }
            """;

        [Fact]
        public async Task Should_Advise_Huge_Pages_For_The_Zero_Filled_Data_Of_The_Program_It_Is_Linked_Into()
        {
            // Given the native build's advice, and the same program built with it and without it
            var dir = Directory.CreateTempSubdirectory("gitops-huge-pages-").FullName;
            try
            {
                var probe = Path.Combine(dir, "probe.c");
                File.WriteAllText(probe, Probe);
                var advice = RepositoryPaths.Combine("platform", "GitOps.Cli", "Native", "huge-pages.c");

                // When
                var with = await CompileAndRunAsync(dir, "with", probe, advice);
                var without = await CompileAndRunAsync(dir, "without", probe);

                // Then
                Assert.StartsWith("VmFlags:", with);
                Assert.Contains(" hg", with);
                Assert.StartsWith("VmFlags:", without);
                Assert.DoesNotContain(" hg", without);
            }
            finally
            {
                Directory.Delete(dir, recursive: true);
            }
        }

        private static async Task<string> CompileAndRunAsync(string dir, string name, params string[] sources)
        {
            var program = Path.Combine(dir, name);
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
            var compiled = await ChildProcess.RunAsync("cc", ["-O0", "-Wall", "-Werror", "-o", program, .. sources], timeout.Token);
            Assert.True(compiled.ExitCode == 0, $"cc failed (exit {compiled.ExitCode}): {compiled.Output}");
            var ran = await ChildProcess.RunAsync(program, [], timeout.Token);
            Assert.True(ran.ExitCode == 0, $"{name} failed (exit {ran.ExitCode}): {ran.Output}");
            return ran.Output.Trim();
        }
    }
}

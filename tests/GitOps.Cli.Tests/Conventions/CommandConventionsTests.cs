using System.CommandLine;
using GitOps.Cli.Conventions;
using Xunit;

namespace GitOps.Cli.Tests.Conventions;

/// <summary>Rules every command follows, checked over the whole command tree so that new commands are held to them too.</summary>
public sealed class CommandConventionsTests
{
    public static TheoryData<string> Commands()
    {
        var data = new TheoryData<string>();
        foreach (var (path, _) in Walk(GitOpsCommandLine.Build(), "gitops"))
        {
            data.Add(path);
        }
        return data;
    }

    private static IEnumerable<(string Path, Command Command)> Walk(Command command, string path)
    {
        yield return (path, command);
        foreach (var sub in command.Subcommands.Where(c => !c.Hidden))
        {
            foreach (var nested in Walk(sub, $"{path} {sub.Name}"))
            {
                yield return nested;
            }
        }
    }

    private static Command Find(string path) => Walk(GitOpsCommandLine.Build(), "gitops").Single(c => c.Path == path).Command;

    public sealed class EveryCommand
    {
        [Theory]
        [MemberData(nameof(Commands), MemberType = typeof(CommandConventionsTests))]
        public void Should_Have_Examples_When_It_Runs_Something(string path)
        {
            // Given
            var command = Find(path);

            // When
            var examples = CommandExamples.Of(command);

            // Then a command that only groups others may go without; one with an action shows how to call it
            Assert.True(command.Action is null || !examples.IsEmpty, $"'{path}' has no examples: add them with WithExamples(...)");
            Assert.All(examples, e => Assert.Contains("gitops ", e.CommandLine));
        }

        [Theory]
        [MemberData(nameof(Commands), MemberType = typeof(CommandConventionsTests))]
        public async Task Should_Print_Its_Help_And_Exit_0_Even_When_It_Has_Required_Options(string path)
        {
            // Given
            var args = path.Split(' ').Skip(1).Append("--help").ToArray();

            // When
            var help = await CliRunner.RunAsync(args);

            // Then
            Assert.True(help.ExitCode == 0, $"'{path} --help' exited {help.ExitCode}: {help.Stderr}");
            Assert.Equal("", help.Stderr);
            Assert.Contains("Usage:", help.Stdout);
        }

        [Theory]
        [MemberData(nameof(Commands), MemberType = typeof(CommandConventionsTests))]
        public void Should_Name_Its_Output_Format_Option_Output_With_The_O_And_Format_Aliases(string path)
        {
            // Given
            var command = Find(path);

            // When
            var format = command.Options.Where(o => o.Name is "--format" or "--output" || o.Aliases.Contains("--format") || o.Aliases.Contains("-o")).ToList();

            // Then
            Assert.All(format, o =>
            {
                Assert.Equal("--output", o.Name);
                Assert.Contains("-o", o.Aliases);
                Assert.Contains("--format", o.Aliases);
            });
        }

        [Theory]
        [MemberData(nameof(Commands), MemberType = typeof(CommandConventionsTests))]
        public void Should_Use_Short_F_Only_For_A_File(string path)
        {
            // Given
            var command = Find(path);

            // When
            var f = command.Options.Where(o => o.Aliases.Contains("-f")).ToList();

            // Then
            Assert.All(f, o => Assert.Equal("FILE", o.HelpName));
        }

        [Theory]
        [MemberData(nameof(Commands), MemberType = typeof(CommandConventionsTests))]
        public void Should_Take_The_Repository_As_A_Positional_Path_When_It_Reads_One(string path)
        {
            // Given
            var command = Find(path);

            // When
            var repo = command.Options.SingleOrDefault(o => o.Name == "--repo");

            // Then reconcile's --repo is a Git URL; every other --repo is the alias of a positional PATH
            if (repo is not null && path != "gitops reconcile")
            {
                Assert.Contains(command.Arguments, a => a.Name == "PATH");
            }
            if (path == "gitops reconcile")
            {
                Assert.Contains("Git URL", repo!.Description);
            }
        }
    }

    public static TheoryData<string> TopLevelCommands()
    {
        var data = new TheoryData<string>();
        foreach (var command in GitOpsCommandLine.Build().Subcommands)
        {
            data.Add(command.Name);
        }
        return data;
    }

    // What a command tree parses and shows: every command's path with its arguments, options, aliases and descriptions.
    private static string Shape(Command root, string name) =>
        string.Join('\n', Walk(root.Subcommands.Single(c => c.Name == name), name).Select(c =>
            $"{c.Path} ({c.Command.Description}) args=[{string.Join(',', c.Command.Arguments.Select(a => a.Name))}] " +
            $"options=[{string.Join(',', c.Command.Options.Select(o => $"{o.Name}|{string.Join('|', o.Aliases.Order(StringComparer.Ordinal))}:{o.Description}"))}]"));

    public sealed class TheTreeForArguments
    {
        [Theory]
        [MemberData(nameof(TopLevelCommands), MemberType = typeof(CommandConventionsTests))]
        public void Should_Hold_The_Named_Command_Alone_As_The_Whole_Tree_Defines_It(string name)
        {
            // Given
            var whole = GitOpsCommandLine.Build();

            // When
            var alone = GitOpsCommandLine.BuildFor([name, "--help"]);

            // Then
            Assert.Equal(name, Assert.Single(alone.Subcommands).Name);
            Assert.Equal(Shape(whole, name), Shape(alone, name));
            Assert.Equal(whole.Options.Select(o => o.Name), alone.Options.Select(o => o.Name));
        }

        [Theory]
        [InlineData()]
        [InlineData("--help")]
        [InlineData("--color", "never", "validate")]
        [InlineData("valdate")]
        [InlineData("[suggest:4]", "val")]
        public void Should_Hold_Every_Command_When_The_Arguments_Do_Not_Start_With_A_Command_Name(params string[] args)
        {
            // Given / When
            var tree = GitOpsCommandLine.BuildFor(args);

            // Then help, typo suggestions, root options and completion see every command
            Assert.Equal(GitOpsCommandLine.Build().Subcommands.Select(c => c.Name), tree.Subcommands.Select(c => c.Name));
        }
    }

    public sealed class TheRootHelp
    {
        [Fact]
        public async Task Should_Print_Help_And_Exit_0_When_Gitops_Runs_Bare()
        {
            // Given / When
            var bare = await CliRunner.RunAsync();
            var help = await CliRunner.RunAsync("--help");

            // Then
            Assert.Equal(0, bare.ExitCode);
            Assert.Equal(help.Stdout, bare.Stdout);
            Assert.Contains("validate", bare.Stdout);
        }

        [Fact]
        public async Task Should_List_The_Exit_Codes_And_The_Environment_Variables()
        {
            // Given / When
            var help = await CliRunner.RunAsync("--help");

            // Then
            Assert.Contains("Exit codes:", help.Stdout);
            foreach (var (code, _) in HelpLayout.ExitCodes)
            {
                Assert.Matches($@"(?m)^  {(int)code}\s", help.Stdout);
            }
            Assert.All(EnvironmentVariables.All, v => Assert.Contains(v.Name, help.Stdout));
        }

        [Fact]
        public async Task Should_Show_The_Examples_Of_A_Command()
        {
            // Given / When
            var help = await CliRunner.RunAsync("plan", "--help");

            // Then
            Assert.Equal(0, help.ExitCode);
            Assert.Contains("Examples:", help.Stdout);
            Assert.Contains("gitops plan --all --detailed-exitcode", help.Stdout);
        }
    }
}

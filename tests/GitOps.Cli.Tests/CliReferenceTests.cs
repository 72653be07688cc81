using System.CommandLine;
using GitOps.Cli.Conventions;
using GitOps.Cli.Reference;
using GitOps.Testing.Golden;
using Xunit;

namespace GitOps.Cli.Tests;

public sealed class CliReferenceTests
{
    public sealed class TheCommandReference
    {
        [Fact]
        public void Should_Match_Docs_Cli_Md_Generated_From_The_Command_Definitions()
        {
            // Given
            var root = GitOpsCommandLine.Build();

            // When
            var markdown = CliReference.Markdown(root);

            // Then (GITOPS_UPDATE_GOLDEN=1 rewrites docs/cli.md)
            GoldenFile.AssertMatches(CliReference.DocumentPath, markdown);
        }

        [Fact]
        public void Should_Describe_Every_Command_Option_Exit_Code_And_Variable()
        {
            // Given
            var root = GitOpsCommandLine.Build();

            // When
            var markdown = CliReference.Markdown(root);

            // Then
            foreach (var (path, command) in CliReference.Commands(root))
            {
                Assert.Contains($"\n## {path}\n", markdown);
                var section = markdown[markdown.IndexOf($"\n## {path}\n", StringComparison.Ordinal)..];
                section = section[..(section.IndexOf("\n## ", 1, StringComparison.Ordinal) is var end and > 0 ? end : section.Length)];
                Assert.All(command.Options.Where(o => !o.Hidden && o.Name != "--help"), o => Assert.Contains(o.Name, section));
                Assert.All(command.Arguments, a => Assert.Contains($"`{a.Name}`", section));
                Assert.All(CommandExamples.Of(command), e => Assert.Contains(e.CommandLine, section));
            }
            Assert.All(HelpLayout.ExitCodes, e => Assert.Contains($"| {(int)e.Code} |", markdown));
            Assert.All(EnvironmentVariables.All, v => Assert.Contains($"`{v.Name}`", markdown));
        }
    }
}

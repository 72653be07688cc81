using System.Net;
using GitOps.Reconciler.WebConsole;

namespace GitOps.Reconciler.Tests.WebConsole;

public sealed class ConsoleOptionsTests
{
    private static readonly ConsoleToken Token = ConsoleToken.FromValue("a-long-console-token", "test");

    public sealed class TheCreateMethod
    {
        [Fact]
        public void Should_Refuse_No_Auth_When_Listening_Beyond_Loopback()
        {
            // When
            var (options, error) = ConsoleOptions.Create(ConsoleAuth.None, null, new IPEndPoint(IPAddress.Any, 8080));

            // Then
            Assert.Null(options);
            Assert.Contains("--console-auth none would let anyone who reaches 0.0.0.0:8080 read the console", error, StringComparison.Ordinal);
            Assert.Contains("--console-token-file", error, StringComparison.Ordinal);
        }

        [Fact]
        public void Should_Serve_Without_Token_When_No_Auth_On_Loopback()
        {
            // When
            var (options, error) = ConsoleOptions.Create(ConsoleAuth.None, null, new IPEndPoint(IPAddress.Loopback, 8080));

            // Then
            Assert.Null(error);
            Assert.Null(options!.Token);
        }

        [Fact]
        public void Should_Require_A_Token_When_Auth_Is_Token_And_None_Is_Given()
        {
            // When
            var (options, error) = ConsoleOptions.Create(ConsoleAuth.Token, null, new IPEndPoint(IPAddress.Loopback, 8080));

            // Then
            Assert.Null(options);
            Assert.Contains("--console needs a token", error, StringComparison.Ordinal);
            Assert.Contains(ConsoleToken.EnvironmentVariable, error, StringComparison.Ordinal);
        }

        [Fact]
        public void Should_Serve_With_The_Token_When_One_Is_Given_On_Any_Address()
        {
            // When
            var (options, error) = ConsoleOptions.Create(ConsoleAuth.Token, Token, new IPEndPoint(IPAddress.Any, 8080));

            // Then
            Assert.Null(error);
            Assert.Same(Token, options!.Token);
        }
    }

    public sealed class TheToken
    {
        [Theory]
        [InlineData("a-long-console-token", true)]
        [InlineData("a-long-console-tokeN", false)]
        [InlineData("a-long-console-token ", false)]
        [InlineData("", false)]
        [InlineData(null, false)]
        public void Should_Match_Only_The_Exact_Token(string? candidate, bool expected) =>
            Assert.Equal(expected, Token.Matches(candidate));

        [Fact]
        public void Should_Not_Print_The_Token_When_Formatted()
        {
            Assert.DoesNotContain("a-long-console-token", Token.ToString(), StringComparison.Ordinal);
            Assert.DoesNotContain("a-long-console-token", Token.Session, StringComparison.Ordinal);
        }

        [Fact]
        public void Should_Read_The_Token_From_A_File_Before_The_Variable()
        {
            // Given
            var file = Path.GetTempFileName();
            try
            {
                File.WriteAllText(file, "from-file\n");

                // When
                var token = ConsoleToken.Load(file, _ => "from-env");

                // Then
                Assert.True(token!.Matches("from-file"));
                Assert.Equal($"file {file}", token.Source);
                Assert.True(ConsoleToken.Load(null, name => name == ConsoleToken.EnvironmentVariable ? "from-env" : null)!.Matches("from-env"));
                Assert.Null(ConsoleToken.Load(null, _ => null));
            }
            finally
            {
                File.Delete(file);
            }
        }
    }
}

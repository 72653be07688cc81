using GitOps.Policy.Tests.Support;
using GitOps.Specs;
using GitOps.Testing.Golden;

namespace GitOps.Policy.Tests;

public sealed class RepositoryValidatorTests
{
    public sealed class TheValidateMethod
    {
        public static TheoryData<string> InvalidCases() => CasesIn("invalid");

        public static TheoryData<string> PolicyCases() => CasesIn("org-policies");

        internal static TheoryData<string> CasesIn(string folder) =>
            [.. Directory.GetDirectories(Path.Combine(RepositoryRoot.TestData, folder)).Select(d => Path.GetFileName(d)!).Order(StringComparer.Ordinal)];

        [Theory]
        [MemberData(nameof(InvalidCases))]
        public void Should_Report_The_Expected_Diagnostics_For_Each_Invalid_Repository(string name)
        {
            // Given
            var dir = Path.Combine(RepositoryRoot.TestData, "invalid", name);

            // When
            var result = RepositoryValidator.Validate(SpecFileReader.Read(dir));

            // Then
            GoldenFile.AssertMatches(Path.Combine(dir, "expected.txt"), Render(result));
        }

        [Theory]
        [MemberData(nameof(PolicyCases))]
        public void Should_Report_Exactly_The_Violated_Example_Policy(string name)
        {
            // Given: the example repository with one file replaced so that it breaks one organisation policy.
            var dir = Path.Combine(RepositoryRoot.TestData, "org-policies", name);
            var files = SpecFileReader.Read(RepositoryRoot.Path).ToDictionary(f => f.Path);
            foreach (var file in SpecFileReader.Read(dir))
            {
                files[file.Path] = file;
            }

            // When
            var result = RepositoryValidator.Validate(files.Values.OrderBy(f => f.Path, StringComparer.Ordinal));

            // Then
            GoldenFile.AssertMatches(Path.Combine(dir, "expected.txt"), Render(result));
        }

        [Fact]
        public void Should_Find_No_Errors_Or_Warnings_In_The_Example_Repository()
        {
            // When
            var result = RepositoryValidator.Validate(SpecFileReader.Read(RepositoryRoot.Path));

            // Then
            Assert.Empty(result.Diagnostics.Select(d => d.ToString()));
            Assert.Equal(4, result.Specs.Environments.Length);
            Assert.Equal(2, result.Specs.Models.Length);
            Assert.Equal(5, result.Specs.Policies.Length);
        }

        [Fact]
        public void Should_Return_The_Same_Diagnostics_Whatever_The_Order_Of_The_Files()
        {
            // Given
            var dir = Path.Combine(RepositoryRoot.TestData, "invalid", "policy-violation");
            var files = SpecFileReader.Read(dir);

            // When
            var forward = RepositoryValidator.Validate(files);
            var backward = RepositoryValidator.Validate(files.Reverse());

            // Then
            Assert.NotEmpty(forward.Diagnostics);
            Assert.Equal(forward.Diagnostics.AsEnumerable(), backward.Diagnostics.AsEnumerable());
        }

        [Fact]
        public void Should_Keep_Every_Loader_Finding_And_Never_Throw_On_The_Broken_Repositories_Of_The_Loader_Tests()
        {
            // Given
            var cases = Directory.GetDirectories(Path.Combine(RepositoryRoot.Path, "tests", "GitOps.Specs.Tests", "testdata"), "*", SearchOption.AllDirectories)
                .Where(d => Directory.Exists(Path.Combine(d, "models")) || Directory.Exists(Path.Combine(d, "environments")) || Directory.Exists(Path.Combine(d, "policies")))
                .ToList();

            // When / Then
            Assert.NotEmpty(cases);
            foreach (var dir in cases)
            {
                var files = SpecFileReader.Read(dir);
                var specs = SpecValidator.Validate(files);
                var all = RepositoryValidator.Validate(files);
                Assert.Empty(specs.Diagnostics.Except(all.Diagnostics));
            }
        }

        [Fact]
        public void Should_Report_The_Same_Diagnostics_Whether_Or_Not_Trees_Are_Kept_After_Their_Documents_Are_Bound()
        {
            // Given every invalid repository, and the example with each organisation policy broken (by default no tree
            // is kept: checks that read a document parse it again)
            var repositories = new List<IReadOnlyList<SourceFile>>();
            foreach (var dir in Directory.GetDirectories(Path.Combine(RepositoryRoot.TestData, "invalid")))
            {
                repositories.Add(SpecFileReader.Read(dir));
            }
            foreach (var dir in Directory.GetDirectories(Path.Combine(RepositoryRoot.TestData, "org-policies")))
            {
                var files = SpecFileReader.Read(RepositoryRoot.Path).ToDictionary(f => f.Path);
                foreach (var file in SpecFileReader.Read(dir))
                {
                    files[file.Path] = file;
                }
                repositories.Add([.. files.Values.OrderBy(f => f.Path, StringComparer.Ordinal)]);
            }
            var kept = LoaderLimits.Default with { KeepTrees = true };

            // When / Then each reads the same, diagnostic for diagnostic, span for span
            Assert.True(repositories.Count > 10);
            Assert.All(repositories, files => Assert.Equal(
                Render(RepositoryValidator.Validate(files, kept)), Render(RepositoryValidator.Validate(files))));
        }

        private static string Render(LoadResult result) =>
            string.Concat(result.Diagnostics.Select(d => d + "\n"));
    }
}

using System.Text;
using GitOps.Planning.Diff;
using GitOps.Planning.Security;
using GitOps.Specs.Model;
using GitOps.Testing.Golden;

namespace GitOps.Planning.Tests.Security;

public sealed class PodSecurityAdmissionTests
{
    /// <summary>The checks of Kubernetes' Pod Security admission, by standard; each has a fixture named after it.</summary>
    private static readonly string[] BaselineChecks =
    [
        "hostNamespaces", "privileged", "capabilities_baseline", "hostPathVolumes", "hostPorts", "appArmorProfile",
        "seLinuxOptions", "procMount", "seccompProfile_baseline", "sysctls", "windowsHostProcess",
    ];

    private static readonly string[] RestrictedChecks =
    [
        "restrictedVolumes", "allowPrivilegeEscalation", "runAsNonRoot", "runAsUser", "seccompProfile_restricted",
        "capabilities_restricted",
    ];

    private static string Fixtures => RepositoryPaths.Combine("tests", "GitOps.Planning.Tests", "testdata", "pod-security");

    public static TheoryData<string> Cases() =>
        [.. Directory.GetDirectories(Fixtures).Select(d => Path.GetFileName(d)!).Order(StringComparer.Ordinal)];

    private static System.Text.Json.Nodes.JsonObject Load(string name)
    {
        var parsed = LiveState.Parse(File.ReadAllText(Path.Combine(Fixtures, name, "pod.yaml")));
        Assert.False(parsed.HasErrors);
        return Assert.Single(parsed.Objects);
    }

    public sealed class TheCheckMethod
    {
        [Theory]
        [MemberData(nameof(Cases), MemberType = typeof(PodSecurityAdmissionTests))]
        public void Should_Report_The_Check_A_Fixture_Is_Named_After_When_The_Pod_Breaks_It(string name)
        {
            // Given
            var obj = Load(name);

            // When
            var restricted = PodSecurityAdmission.Check(obj, PodSecurityLevels.Restricted);
            var baseline = PodSecurityAdmission.Check(obj, PodSecurityLevels.Baseline);

            // Then
            var text = new StringBuilder();
            foreach (var (level, found) in new[] { ("restricted", restricted), ("baseline", baseline) })
            {
                foreach (var v in found)
                {
                    text.Append(level).Append(": ").Append(v.Check).Append(": ").Append(v.Detail).Append('\n');
                }
            }
            GoldenFile.AssertMatches(Path.Combine(Fixtures, name, "expected.txt"), text.ToString());
            if (name == "compliant")
            {
                Assert.Empty(restricted);
                return;
            }
            Assert.Contains(name, restricted.Select(v => v.Check));
            Assert.Equal(BaselineChecks.Contains(name), baseline.Any(v => v.Check == name));
            Assert.All(baseline, v => Assert.Equal(PodSecurityLevels.Baseline, v.Level));
        }

        [Fact]
        public void Should_Have_A_Failing_Fixture_For_Every_Check()
        {
            // Given
            var fixtures = Directory.GetDirectories(Fixtures).Select(d => Path.GetFileName(d)!).ToHashSet(StringComparer.Ordinal);

            // Then
            Assert.All(BaselineChecks.Concat(RestrictedChecks), check => Assert.Contains(check, fixtures));
        }

        [Fact]
        public void Should_Accept_Anything_When_The_Level_Is_Privileged()
        {
            // Given
            var obj = Load("privileged");

            // When
            var found = PodSecurityAdmission.Check(obj, PodSecurityLevels.Privileged);

            // Then
            Assert.Empty(found);
        }

        [Fact]
        public void Should_Let_A_Container_Setting_Override_The_Pod_When_Checking_Run_As_Non_Root()
        {
            // Given: the pod says runAsNonRoot, the container says otherwise.
            var obj = Load("compliant");
            obj["spec"]!["containers"]![0]!["securityContext"]!["runAsNonRoot"] = false;

            // When
            var found = PodSecurityAdmission.Check(obj, PodSecurityLevels.Restricted);

            // Then
            var v = Assert.Single(found);
            Assert.Equal("runAsNonRoot", v.Check);
            Assert.Contains("\"app\"", v.Detail);
        }
    }
}

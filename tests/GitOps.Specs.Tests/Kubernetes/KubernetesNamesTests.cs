using GitOps.Specs.Kubernetes;
using Xunit;

namespace GitOps.Specs.Tests.Kubernetes;

/// <summary>The cases of k8s.io/apimachinery's own tests (content/kube_test.go, validation_test.go), so the port agrees with the API server.</summary>
public sealed class KubernetesNamesTests
{
    public sealed class TheQualifiedNameMethod
    {
        public static TheoryData<string> Accepted =>
        [
            "simple", "now-with-dashes", "1-starts-with-num", "1234", "simple/simple", "now-with-dashes/simple",
            "now-with-dashes/now-with-dashes", "now.with.dots/simple", "now-with.dashes-and.dots/simple", "1-num.2-num/3-num",
            "1234/5678", "1.2.3.4/5678", "Uppercase_Is_OK_123", "example.com/Uppercase_Is_OK_123", "requests.storage-foo",
            new string('a', 63), new string('a', 253) + "/" + new string('b', 63),
        ];

        public static TheoryData<string> Refused =>
        [
            "nospecialchars%^=@", "cantendwithadash-", "-cantstartwithadash-", "only/one/slash", "Example.com/abc",
            "example_com/abc", "example.com/", "/simple", new string('a', 64), new string('a', 254) + "/abc",
            "bad key!!/x", "", "trailing-newline\n",
        ];

        [Theory]
        [MemberData(nameof(Accepted))]
        public void Should_Accept_What_The_Api_Server_Accepts_When_Given_A_Valid_Key(string key) =>
            Assert.Empty(KubernetesNames.QualifiedName(key));

        [Theory]
        [MemberData(nameof(Refused))]
        public void Should_Refuse_What_The_Api_Server_Refuses_When_Given_An_Invalid_Key(string key) =>
            Assert.NotEmpty(KubernetesNames.QualifiedName(key));

        [Fact]
        public void Should_Name_The_Prefix_Part_When_The_Prefix_Is_Not_A_Dns_Subdomain()
        {
            // When
            var errors = KubernetesNames.QualifiedName("bad key!!/x");

            // Then
            var error = Assert.Single(errors);
            Assert.StartsWith("prefix part a lowercase RFC 1123 subdomain", error, StringComparison.Ordinal);
        }
    }

    public sealed class TheLabelValueMethod
    {
        [Theory]
        [InlineData("simple")]
        [InlineData("now-with-dashes")]
        [InlineData("1-starts-with-num")]
        [InlineData("end-with-num-1")]
        [InlineData("1234")]
        [InlineData("")]
        public void Should_Accept_When_Given_A_Valid_Value(string value) => Assert.Empty(KubernetesNames.LabelValue(value));

        [Theory]
        [InlineData("nospecialchars%^=@")]
        [InlineData("Tama-nui-te-rā.is.Māori.sun")]
        [InlineData("\\backslashes\\are\\bad")]
        [InlineData("-starts-with-dash")]
        [InlineData("ends-with-dash-")]
        [InlineData(".starts.with.dot")]
        [InlineData("ends.with.dot.")]
        public void Should_Refuse_When_Given_An_Invalid_Value(string value) => Assert.NotEmpty(KubernetesNames.LabelValue(value));

        [Fact]
        public void Should_Allow_63_Characters_And_Refuse_64_When_Measuring_Length()
        {
            Assert.Empty(KubernetesNames.LabelValue(new string('a', 63)));
            Assert.Equal("must be no more than 63 characters", Assert.Single(KubernetesNames.LabelValue(new string('a', 64))));
        }
    }

    public sealed class TheDnsNameMethods
    {
        [Theory]
        [InlineData("a", true, true, true)]
        [InlineData("ab-c", true, true, true)]
        [InlineData("1-fraud", true, true, false)]
        [InlineData("a.b", false, true, false)]
        [InlineData("A", false, false, false)]
        [InlineData("a-", false, false, false)]
        [InlineData("-a", false, false, false)]
        [InlineData("a_b", false, false, false)]
        [InlineData("", false, false, false)]
        public void Should_Apply_Label_Subdomain_And_Dns1035_Rules_When_Given_A_Name(string name, bool label, bool subdomain, bool dns1035)
        {
            Assert.Equal(label, KubernetesNames.Dns1123Label(name).IsEmpty);
            Assert.Equal(subdomain, KubernetesNames.Dns1123Subdomain(name).IsEmpty);
            Assert.Equal(dns1035, KubernetesNames.Dns1035Label(name).IsEmpty);
        }

        [Fact]
        public void Should_Say_Dots_Are_The_Problem_When_A_Subdomain_Is_Given_Where_A_Label_Is_Needed() =>
            Assert.Equal("must not contain dots", Assert.Single(KubernetesNames.Dns1123Label("a.b")));

        [Fact]
        public void Should_Bound_Labels_At_63_And_Subdomains_At_253_When_Measuring_Length()
        {
            Assert.Empty(KubernetesNames.Dns1123Label(new string('a', 63)));
            Assert.NotEmpty(KubernetesNames.Dns1123Label(new string('a', 64)));
            var longest = string.Join('.', Enumerable.Repeat(new string('a', 63), 3)) + "." + new string('b', 61);
            Assert.Equal(253, longest.Length);
            Assert.Empty(KubernetesNames.Dns1123Subdomain(longest));
            Assert.NotEmpty(KubernetesNames.Dns1123Subdomain(longest + "b"));
            Assert.NotEmpty(KubernetesNames.Dns1123Subdomain(new string('a', 254)));
        }
    }

    public sealed class TheAnnotationMethods
    {
        [Theory]
        [InlineData("Example.COM/Owner", true)]
        [InlineData("owner", true)]
        [InlineData("owner team", false)]
        [InlineData("a/b/c", false)]
        public void Should_Check_Annotation_Keys_Ignoring_Case_When_Given_A_Key(string key, bool valid) =>
            Assert.Equal(valid, KubernetesNames.AnnotationKey(key).IsEmpty);

        [Fact]
        public void Should_Count_Utf8_Bytes_Of_Keys_And_Values_When_Measuring_Annotations() =>
            Assert.Equal(3 + 3, KubernetesNames.AnnotationsSize([new("key", "rā")]));
    }

    public sealed class TheExtendedResourceNameMethod
    {
        [Theory]
        [InlineData("nvidia.com/gpu", true)]
        [InlineData("amd.com/gpu", true)]
        [InlineData("gpu", false)]
        [InlineData("cpu", false)]
        [InlineData("kubernetes.io/gpu", false)]
        [InlineData("example.kubernetes.io/gpu", false)]
        [InlineData("requests.example.com/gpu", false)]
        [InlineData("nvidia.com/a100 gpu", false)]
        public void Should_Accept_Only_Domain_Prefixed_Names_Outside_Kubernetes_When_Given_A_Resource(string name, bool valid) =>
            Assert.Equal(valid, KubernetesNames.ExtendedResourceName(name).IsEmpty);
    }
}

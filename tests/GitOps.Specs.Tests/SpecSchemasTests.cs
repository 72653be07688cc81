using GitOps.Specs.Diagnostics;
using GitOps.Specs.Model;
using GitOps.Specs.Tests.Support;
using Newtonsoft.Json.Linq;
using Xunit;

namespace GitOps.Specs.Tests;

public sealed class SpecSchemasTests
{
    // Keywords NJsonSchema enforces, plus annotations. Anything else would be silently ignored.
    private static readonly HashSet<string> Allowed =
    [
        "$schema", "title", "description", "default", "type", "properties", "required", "additionalProperties",
        "enum", "minimum", "maximum", "minLength", "maxLength", "pattern", "items", "minItems", "uniqueItems",
        "minProperties", "maxProperties", "oneOf",
    ];

    public sealed class TheAllProperty
    {
        [Fact]
        public void Should_Have_A_Schema_For_Every_Kind()
        {
            // Given
            var kinds = SpecKinds.All;

            // When
            var schemas = SpecSchemas.All;

            // Then
            Assert.Equal(kinds.Order(StringComparer.Ordinal), schemas.Keys.Order(StringComparer.Ordinal));
        }

        [Fact]
        public void Should_Use_Only_Keywords_The_Validator_Enforces()
        {
            // Given
            var used = new HashSet<string>(StringComparer.Ordinal);

            // When
            foreach (var text in SpecSchemas.All.Values)
            {
                Collect(JObject.Parse(text), used);
            }

            // Then
            Assert.Subset(Allowed, used);
        }

        private static void Collect(JObject schema, HashSet<string> used)
        {
            foreach (var p in schema.Properties())
            {
                used.Add(p.Name);
                if (p.Name == "properties")
                {
                    foreach (var child in ((JObject)p.Value).Properties())
                    {
                        Collect((JObject)child.Value, used);
                    }
                }
                else if (p.Value is JObject o && p.Name is "items" or "additionalProperties")
                {
                    Collect(o, used);
                }
            }
        }
    }

    /// <summary>Each schema keyword the specs rely on, proven to be enforced by a document that breaks it.</summary>
    public sealed class TheEnforcedKeywords
    {
        [Theory]
        [InlineData("additionalProperties", "", "    colour: red", DiagnosticIds.UnknownField, "spec.training")]
        [InlineData("required", "", "", DiagnosticIds.MissingField, "spec.training")]
        [InlineData("type integer", "", "    retries: 1.5", DiagnosticIds.WrongType, "spec.training.retries")]
        [InlineData("type string", "description: [a]", "", DiagnosticIds.WrongType, "spec.description")]
        [InlineData("type boolean", "", "", DiagnosticIds.WrongType, "spec.cluster.kubernetes.inCluster")]
        [InlineData("type list", "gates: fraud-quality", "", DiagnosticIds.WrongType, "spec.gates")]
        [InlineData("type mapping", "serving: 3", "", DiagnosticIds.WrongType, "spec.serving")]
        [InlineData("type string or number", "", "    resources: {cpu: true}", DiagnosticIds.WrongType, "spec.training.resources.cpu")]
        [InlineData("enum", "outputs: [{name: p, type: float16}]", "", DiagnosticIds.NotAllowedValue, "spec.outputs[0].type")]
        [InlineData("minimum", "", "    retries: -1", DiagnosticIds.OutOfRange, "spec.training.retries")]
        [InlineData("maximum", "", "    retries: 101", DiagnosticIds.OutOfRange, "spec.training.retries")]
        [InlineData("minLength", "", "    image: ''", DiagnosticIds.OutOfRange, "spec.training.image")]
        [InlineData("maxLength", "rollout: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "", DiagnosticIds.OutOfRange, "spec.rollout")]
        [InlineData("pattern", "rollout: Canary", "", DiagnosticIds.PatternMismatch, "spec.rollout")]
        [InlineData("minItems", "", "", DiagnosticIds.OutOfRange, "spec.rules")]
        [InlineData("uniqueItems", "environments: [prod, prod]", "", DiagnosticIds.DuplicateItem, "spec.environments")]
        [InlineData("minProperties", "", "", DiagnosticIds.ExactlyOneOf, "spec.steps[0]")]
        [InlineData("maxProperties", "", "", DiagnosticIds.ExactlyOneOf, "spec.cluster")]
        [InlineData("oneOf", "", "", DiagnosticIds.ExactlyOneOf, "spec.analysis[0]")]
        public void Should_Reject_A_Document_That_Breaks_The_Keyword(string keyword, string specLine, string trainingLine, string id, string path)
        {
            // Given
            var (file, text) = keyword switch
            {
                "required" => ("models/m.yaml", SpecText.Model().Replace("    dataset:\n      uri: https://data.example.com/fraud.csv\n      sha256: " + SpecText.Sha + "\n", "", StringComparison.Ordinal)),
                "type boolean" => ("environments/e.yaml", SpecText.Environment().Replace("    local: {}", "    kubernetes: {inCluster: 'yes'}", StringComparison.Ordinal)),
                "maxProperties" => ("environments/e.yaml", SpecText.Environment().Replace("    local: {}", "    local: {}\n    kubernetes: {context: x}", StringComparison.Ordinal)),
                "minItems" => ("policies/g.yaml", "apiVersion: ml.gitops/v1alpha1\nkind: QualityGate\nmetadata: {name: g}\nspec:\n  rules: []\n"),
                "minProperties" => ("policies/r.yaml", SpecText.Rollout("strategy: canary\nsteps:\n  - {}\n")),
                "oneOf" => ("policies/r.yaml", SpecText.Rollout("strategy: direct\nanalysis:\n  - {name: a, query: up, kpi: b}\n")),
                _ => ("models/m.yaml", SpecText.Model(specExtra: specLine, trainingExtra: trainingLine.TrimStart())),
            };

            // When
            var result = SpecLoader.Load(SpecText.Files((file, text)));

            // Then
            var d = Assert.Single(result.Diagnostics);
            Assert.Equal(id, d.Id);
            Assert.Contains($"'{path}'", d.Message, StringComparison.Ordinal);
            Assert.Empty(result.Specs.All);
        }
    }
}

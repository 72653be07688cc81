using GitOps.Policy.Expressions;
using GitOps.Policy.Policies;
using GitOps.Policy.Tests.Support;
using GitOps.Specs;
using GitOps.Specs.Diagnostics;
using GitOps.Specs.Model;
using GitOps.Testing.Generators;
using static GitOps.Policy.Tests.TestSpecs;

namespace GitOps.Policy.Tests;

public sealed class PolicyEvaluatorTests
{
    private static readonly EnvironmentSpec Dev = Environment("dev");
    private static readonly EnvironmentSpec Prod = Environment("prod");

    public sealed class TheEvaluateMethod
    {
        [Fact]
        public void Should_Report_A_Violation_Per_Environment_With_The_Rule_Message_And_Severity()
        {
            // Given
            var model = Model("fraud", m => m with { Owner = "bob", Environments = ["dev", "prod"] });
            var policy = PolicyDoc("ownership", Match(kinds: ["Model"]),
                Rule("team-owner", "object.spec.owner.startsWith('team-')", "owner must be a team", "warning"));

            // When
            var diagnostics = PolicyEvaluator.Evaluate(Set(Dev, Prod, model, policy));

            // Then
            Assert.Equal(
            [
                "models/fraud/model.yaml:1:1: warning GITOPS0501: owner must be a team [policy ownership/team-owner, environment dev]",
                "models/fraud/model.yaml:1:1: warning GITOPS0501: owner must be a team [policy ownership/team-owner, environment prod]",
            ], diagnostics.Select(d => d.ToString()));
        }

        [Fact]
        public void Should_See_The_Environment_Override_Merged_Into_The_Model()
        {
            // Given
            var model = Model("fraud", m => m with
            {
                Environments = ["dev", "prod"],
                Serving = new ServingSpec { Replicas = 1, MinAvailable = 1 },
                Overrides = ImmutableSortedDictionaryOf("prod", new ModelOverride { Serving = new ServingSpec { Replicas = 3 } }),
            });
            var policy = PolicyDoc("prod-replicas", Match(kinds: ["Model"], environments: ["prod"]),
                Rule("replicas", "object.spec.serving.replicas >= 2 && object.spec.serving.minAvailable == 1"));
            var devPolicy = PolicyDoc("dev-replicas", Match(kinds: ["Model"], environments: ["dev"]),
                Rule("replicas", "object.spec.serving.replicas >= 2", "dev needs 2"));

            // When
            var diagnostics = PolicyEvaluator.Evaluate(Set(Dev, Prod, model, policy, devPolicy));

            // Then
            var d = Assert.Single(diagnostics);
            Assert.Equal("dev needs 2 [policy dev-replicas/replicas, environment dev]", d.Message);
        }

        [Fact]
        public void Should_Evaluate_Environments_Once_For_Themselves_And_Other_Kinds_Without_An_Environment()
        {
            // Given
            var policy = PolicyDoc("names", Match(), Rule("short", "size(object.metadata.name) < 4 && (envName == null || envName == object.metadata.name)", "name too long"));
            var gate = Gate("quality-gate");

            // When
            var diagnostics = PolicyEvaluator.Evaluate(Set(Dev, Prod, gate, policy));

            // Then
            Assert.Equal(
            [
                "name too long [policy names/short, environment prod]",
                "name too long [policy names/short]",
                "name too long [policy names/short]",
            ], diagnostics.Select(d => d.Message).Order(StringComparer.Ordinal));
            Assert.Contains(diagnostics, d => d.Span.File == "policies/gates/quality-gate.yaml");
            Assert.Contains(diagnostics, d => d.Span.File == "policies/org/names.yaml");
        }

        [Fact]
        public void Should_Apply_A_Policy_Named_By_The_Environment_Even_When_Its_Match_Lists_Other_Environments()
        {
            // Given
            var staging = Environment("staging", e => e with { Policies = ["prod-only"] });
            var model = Model("fraud", m => m with { Environments = ["dev", "staging"] });
            var policy = PolicyDoc("prod-only", Match(environments: ["prod"]), Rule("never", "object.kind != 'Model'", "no models"));

            // When
            var diagnostics = PolicyEvaluator.Evaluate(Set(Dev, staging, model, policy));

            // Then
            Assert.Equal("no models [policy prod-only/never, environment staging]", Assert.Single(diagnostics).Message);
        }

        [Fact]
        public void Should_Pass_The_Environment_Document_And_Its_Name()
        {
            // Given
            var prod = Environment("prod", e => e with { Router = TrafficRouters.Replicas });
            var model = Model("fraud", m => m with { Environments = ["prod"] });
            var policy = PolicyDoc("router", Match(kinds: ["Model"]),
                Rule("gateway", "environment.spec.router == 'gatewayApi' || envName != 'prod'", "prod needs a gateway"));

            // When
            var diagnostics = PolicyEvaluator.Evaluate(Set(prod, model, policy));

            // Then
            Assert.Equal("prod needs a gateway [policy router/gateway, environment prod]", Assert.Single(diagnostics).Message);
        }

        [Fact]
        public void Should_Warn_And_Suggest_Has_When_A_Field_Is_Missing()
        {
            // Given
            var model = Model("fraud");
            var policy = PolicyDoc("rollout", Match(kinds: ["Model"]), Rule("named", "object.spec.rollout != ''"));

            // When
            var diagnostics = PolicyEvaluator.Evaluate(Set(Dev, model, policy));

            // Then
            var d = Assert.Single(diagnostics);
            Assert.Equal(Severity.Warning, d.Severity);
            Assert.Equal("GITOPS0502", d.Id);
            Assert.Equal("rule could not be evaluated for Model 'fraud' in environment 'dev': field 'rollout' is missing from 'object.spec' [policy rollout/named, environment dev]", d.Message);
            Assert.Equal("guard optional fields with has(object.spec.rollout)", d.Hint);
        }

        [Fact]
        public void Should_Report_A_Non_Boolean_Rule_Once_At_The_Rule()
        {
            // Given
            var policy = PolicyDoc("broken", Match(kinds: ["Model"]), Rule("owner", "object.spec.owner"));

            // When
            var diagnostics = PolicyEvaluator.Evaluate(Set(Dev, Model("a"), Model("b"), policy));

            // Then
            var d = Assert.Single(diagnostics);
            Assert.Equal("GITOPS0503", d.Id);
            Assert.Equal("policies/org/broken.yaml", d.Span.File);
            Assert.StartsWith("rule 'owner' of Policy 'broken' evaluated to String, not a boolean", d.Message);
        }

        [Fact]
        public void Should_Skip_Rules_That_Do_Not_Compile_Because_The_Expression_Checks_Report_Them()
        {
            // Given
            var policy = PolicyDoc("broken", Match(), Rule("typo", "objet.spec.owner == 'x'"), Rule("syntax", "object.spec. =="));

            // When
            var diagnostics = PolicyEvaluator.Evaluate(Set(Dev, Model("a"), policy));

            // Then
            Assert.Empty(diagnostics);
        }

        [Fact]
        public void Should_Not_Match_Models_Served_Only_Elsewhere_When_The_Policy_Names_Environments()
        {
            // Given
            var model = Model("fraud", m => m with { Owner = "" });
            var policy = PolicyDoc("prod-owner", Match(kinds: ["Model"], environments: ["prod"]), Rule("owner", "object.spec.owner != ''"));

            // When
            var diagnostics = PolicyEvaluator.Evaluate(Set(Dev, Prod, model, policy));

            // Then
            Assert.Empty(diagnostics);
        }

        [Fact]
        public void Should_Evaluate_Thousands_Of_Models_In_Three_Environments()
        {
            // Given
            var staging = Environment("staging");
            var models = Enumerable.Range(0, 2000).Select(i => (SpecObject)Model($"model-{i:D4}", m => m with
            {
                Owner = i % 500 == 0 ? "nobody" : "team-risk",
                Environments = ["dev", "staging", "prod"],
                Serving = new ServingSpec { Replicas = 2 },
            }));
            var policy = PolicyDoc("org", Match(kinds: ["Model"]),
                Rule("owner", "object.spec.owner.startsWith('team-')", "owner must be a team"),
                Rule("replicas", "envName != 'prod' || object.spec.serving.replicas >= 2"),
                Rule("dataset", "object.spec.training.dataset.sha256.size() == 64"),
                Rule("inputs", "object.spec.inputs.all(i, i.type == 'float32')"));

            // When
            var diagnostics = PolicyEvaluator.Evaluate(Set(new SpecObject[] { Dev, staging, Prod, policy }.Concat(models).ToArray()));

            // Then
            Assert.Equal(4 * 3, diagnostics.Length);
        }

        [Theory]
        [InlineData(2)]
        [InlineData(3)]
        [InlineData(8)]
        public void Should_Report_What_One_Worker_Reports_In_The_Same_Order_When_Targets_Are_Split_Between_Workers(int workers)
        {
            // Given 1,500 models, some breaking a rule in some environments, and a rule that is not a boolean
            var models = Enumerable.Range(0, 1500).Select(i => (SpecObject)Model($"m{i:0000}", m => m with
            {
                Owner = i % 7 == 0 ? "bob" : "team-ml",
                Environments = i % 3 == 0 ? ["dev", "prod"] : ["dev"],
            }));
            var policy = PolicyDoc("ownership", Match(kinds: ["Model"]),
                Rule("team-owner", "object.spec.owner.startsWith('team-')", "owner must be a team", "warning"),
                Rule("prod-only", "envName != 'prod' || object.metadata.name.endsWith('0')", "not in prod"),
                Rule("broken", "object.spec.owner"));
            var specs = Set([Dev, Prod, policy, .. models]);

            // When the targets are evaluated by one worker and split between several
            var alone = PolicyEvaluator.Evaluate(specs, workers: 1);
            var split = PolicyEvaluator.Evaluate(specs, workers);

            // Then the same diagnostics come back in the same order, the rule that is not a boolean reported once
            Assert.Equal(alone.Select(d => d.ToString()), split.Select(d => d.ToString()));
            Assert.Single(split, d => d.Id == PolicyRuleIds.PolicyResultNotBoolean);
            Assert.Equal(1500 / 7 + 1 + 1500 / 21 + 1, split.Count(d => d.Id == PolicyRuleIds.PolicyViolation && d.Severity == Severity.Warning));
            Assert.Contains(split, d => d.Message.StartsWith("not in prod", StringComparison.Ordinal));
        }
    }

    private static System.Collections.Immutable.ImmutableSortedDictionary<string, ModelOverride> ImmutableSortedDictionaryOf(string env, ModelOverride o) =>
        System.Collections.Immutable.ImmutableSortedDictionary<string, ModelOverride>.Empty.Add(env, o);

    public sealed class TheDocumentsBuiltAlongTheRulesReads
    {
        [Fact]
        public void Should_Give_The_Same_Findings_As_Whole_Documents_On_Every_Policy_Test_Repository_And_The_Examples()
        {
            // Given: repositories loaded from YAML (documents built along the rules' reads), with violations
            var dirs = Directory.GetDirectories(Path.Combine(RepositoryRoot.TestData, "org-policies")).Append(RepositoryRoot.Path).ToList();

            // When / Then
            Assert.True(dirs.Count > 5);
            foreach (var dir in dirs)
            {
                var specs = SpecValidator.Validate(SpecFileReader.Read(dir)).Specs;
                var along = PolicyEvaluator.Evaluate(specs, workers: 1, wholeDocuments: false);
                var whole = PolicyEvaluator.Evaluate(specs, workers: 1, wholeDocuments: true);
                Assert.Equal(whole.Select(d => d.ToString() + " " + d.Hint), along.Select(d => d.ToString() + " " + d.Hint));
            }
        }

        [Fact]
        public void Should_Give_The_Same_Findings_With_Views_Built_At_Load_Even_When_A_Policys_Kind_Hides_From_The_First_Look()
        {
            // Given 100 clones of the example models with their policies and one that half of them break, and the same
            // with one more Policy whose kind is written with an escape (so the loader does not load it first)
            var clones = ExampleModelClones.Generate(RepositoryRoot.Path, 100).Append(PolicyFile("half", "Policy", "object.metadata.name.endsWith('1')")).ToList();
            var hidden = clones.Append(PolicyFile("hidden", "Pol\\x69cy", "object.spec.description.size() < 50")).ToList();

            foreach (var repository in new[] { clones, hidden })
            {
                // When the documents' views are built at load, and when they are parsed again as policies read them
                var atLoad = SpecLoader.Load(repository, LoaderLimits.Default with { PolicyViews = PolicyEvaluator.FieldsRead }).Specs;
                var again = SpecLoader.Load(repository).Specs;

                // Then the findings are the same
                var found = PolicyEvaluator.Evaluate(again).Select(d => d.ToString() + " " + d.Hint).ToList();
                Assert.Equal(found, PolicyEvaluator.Evaluate(atLoad).Select(d => d.ToString() + " " + d.Hint));
                Assert.Contains(found, f => f.Contains("[policy half/rule", StringComparison.Ordinal));
            }
            Assert.Contains(PolicyEvaluator.Evaluate(SpecLoader.Load(hidden).Specs), d => d.Message.Contains("[policy hidden/rule", StringComparison.Ordinal));
        }

        [Fact]
        public void Should_Hand_Out_The_View_Built_At_Load_Once_Then_Parse_The_Document_Again()
        {
            // Given a repository loaded with views along the fields its policies read, where a model's comment names
            // other kinds that end in Policy (which does not make its file one to load with the policies)
            var repository = ExampleModelClones.Generate(RepositoryRoot.Path, 100)
                .Select(f => f.Path == "models/fraud-detector-0000/model.yaml"
                    ? f with { Content = [.. "# Rolled out by a RolloutPolicy; the networkPolicy is the environment's.\n"u8, .. f.Content] }
                    : f)
                .ToList();
            var specs = SpecLoader.Load(repository, LoaderLimits.Default with { PolicyViews = PolicyEvaluator.FieldsRead }).Specs;
            var along = PolicyEvaluator.FieldsRead(specs.Policies)!;
            var model = specs.Model("fraud-detector-0000")!;

            // When the view is read twice
            var before = GC.GetAllocatedBytesForCurrentThread();
            var first = model.Origin.RawAlong(along);
            var handedOut = GC.GetAllocatedBytesForCurrentThread() - before;
            before = GC.GetAllocatedBytesForCurrentThread();
            var second = model.Origin.RawAlong(along);
            var parsed = GC.GetAllocatedBytesForCurrentThread() - before;

            // Then the first read is the view built at load (nothing parsed), the second the file parsed again, alike
            Assert.True(handedOut < 1024, $"the first read allocated {handedOut} bytes");
            Assert.True(parsed > 4096, $"the second read allocated {parsed} bytes");
            Assert.Equal(System.Text.Json.JsonSerializer.Serialize(first), System.Text.Json.JsonSerializer.Serialize(second));
        }

        [Fact]
        public void Should_Build_No_View_Of_A_Kind_No_Policy_Matches()
        {
            // Given a repository whose only policy matches environments
            var repository = ExampleModelClones.Generate(RepositoryRoot.Path, 100).Where(f => !f.Path.StartsWith("policies/", StringComparison.Ordinal))
                .Append(PolicyFile("environments-only", "Policy", "object.metadata.name != ''", kinds: "Environment")).ToList();
            var specs = SpecLoader.Load(repository, LoaderLimits.Default with { PolicyViews = PolicyEvaluator.FieldsRead }).Specs;
            var along = PolicyEvaluator.FieldsRead(specs.Policies)!;

            // When a model's view is read along those fields
            var before = GC.GetAllocatedBytesForCurrentThread();
            specs.Models[0].Origin.RawAlong(along);
            var parsed = GC.GetAllocatedBytesForCurrentThread() - before;

            // Then it is parsed from the file: none was built, none is held
            Assert.True(parsed > 4096, $"the read allocated {parsed} bytes");
        }

        private static SourceFile PolicyFile(string name, string kind, string expression, string kinds = "Model") => new($"policies/org/{name}.yaml", System.Text.Encoding.UTF8.GetBytes($"""
            apiVersion: ml.gitops/v1alpha1
            kind: "{kind}"
            metadata:
              name: {name}
            spec:
              match:
                kinds: [{kinds}]
              rules:
                - name: rule
                  expression: "{expression}"
                  message: broken
            """));

        [Fact]
        public void Should_Name_The_Fields_Rules_Select_And_The_Overrides()
        {
            // Given
            var shapes = new[]
            {
                CelExpressions.Compile("object.spec.serving.replicas >= 2 && has(object.metadata.labels.team)").Shape,
                CelExpressions.Compile("object.spec.inputs.all(i, i.type == 'float32')").Shape,
            };

            // When
            var paths = PolicyEvaluator.ObjectPathsRead(shapes)!;

            // Then
            Assert.False(paths.Whole);
            Assert.Equal(["metadata", "spec"], paths.Children.Keys.Order(StringComparer.Ordinal));
            Assert.Equal(["inputs", "overrides", "serving"], paths.Children["spec"].Children.Keys.Order(StringComparer.Ordinal));
            Assert.True(paths.Children["spec"].Children["inputs"].Whole);
            Assert.True(paths.Children["metadata"].Children["labels"].Children["team"].Whole);
        }

        [Theory]
        [InlineData("'spec' in object")]
        [InlineData("object != null")]
        [InlineData("[1].all(object, object > 0)")]
        public void Should_Want_Whole_Documents_When_A_Rule_Uses_Object_Whole(string expression)
        {
            Assert.Null(PolicyEvaluator.ObjectPathsRead([CelExpressions.Compile(expression).Shape]));
        }
    }
}

using CsCheck;
using GitOps.Planning.Diff;
using GitOps.Planning.Formatting;
using GitOps.Planning.Rendering;

namespace GitOps.Planning.Tests.Diff;

public sealed class LiveStateTests
{
    public sealed class TheParseMethod
    {
        [Fact]
        public void Should_Read_Multi_Document_Yaml_And_List_Items()
        {
            // Given
            var yaml = """
                apiVersion: v1
                kind: List
                items:
                - apiVersion: v1
                  kind: Service
                  metadata: {name: a, namespace: ml}
                - apiVersion: apps/v1
                  kind: Deployment
                  metadata: {name: b, namespace: ml}
                  spec: {replicas: 3}
                ---
                ---
                apiVersion: v1
                kind: ConfigMap
                metadata:
                  name: c
                data:
                  port: "8080"
                  enabled: 'true'
                """;

            // When
            var result = LiveState.Parse(yaml);

            // Then
            Assert.Empty(result.Diagnostics);
            Assert.Equal(["a", "b", "c"], result.Objects.Select(o => o["metadata"]!["name"]!.ToString()));
            Assert.Equal(3, result.Objects[1]["spec"]!["replicas"]!.GetValue<long>());
            Assert.Equal("8080", result.Objects[2]["data"]!["port"]!.GetValue<string>());
            Assert.Equal("true", result.Objects[2]["data"]!["enabled"]!.GetValue<string>());
        }

        [Theory]
        [InlineData("0x1F", 31L)]
        [InlineData("0o17", 15L)]
        [InlineData("-12", -12L)]
        public void Should_Resolve_Integers_Like_The_Spec_Loader_When_Written_In_Any_Core_Schema_Form(string text, long expected)
        {
            // Given a YAML 1.2 core-schema integer in a live object
            var yaml = $"apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: c}}\nspec: {{value: {text}}}\n";

            // When
            var result = LiveState.Parse(yaml);

            // Then
            Assert.Empty(result.Diagnostics);
            Assert.Equal(expected, result.Objects[0]["spec"]!["value"]!.GetValue<long>());
        }

        [Theory]
        [InlineData(".inf")]
        [InlineData("-.Inf")]
        [InlineData(".nan")]
        [InlineData("yes")]
        public void Should_Keep_The_Text_When_A_Scalar_Has_No_Json_Number(string text)
        {
            // Given infinity, NaN (no JSON form) or a YAML 1.1 boolean (a string in YAML 1.2)
            var yaml = $"apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: c}}\nspec: {{value: {text}}}\n";

            // When
            var result = LiveState.Parse(yaml);

            // Then
            Assert.Empty(result.Diagnostics);
            Assert.Equal(text, result.Objects[0]["spec"]!["value"]!.GetValue<string>());
        }

        [Theory]
        [InlineData("apiVersion: v1\nkind: [unclosed\n", "live.yaml", 2)]
        [InlineData("{\"apiVersion\": \"v1\",\n \"kind\": \"Service\",\n \"metadata\": {\"name\": \"a\"\n", "live.json", 3)]
        public void Should_Report_Invalid_Yaml_Or_Json_With_Its_Position(string text, string file, int line)
        {
            // When
            var result = LiveState.Parse(text, file);

            // Then
            var d = Assert.Single(result.Diagnostics);
            Assert.Equal(PlanningDiagnostics.InvalidLiveState, d.Id);
            Assert.Equal(file, d.Span.File);
            Assert.True(d.Span.Line >= line, d.ToString());
            Assert.Empty(result.Objects);
        }

        [Fact]
        public void Should_Report_Documents_That_Are_Not_Objects()
        {
            // When
            var result = LiveState.Parse("- just\n- a list\n---\nkind: Service\n");

            // Then
            Assert.Equal(2, result.Diagnostics.Length);
            Assert.Empty(result.Objects);
        }
        [Fact]
        public void Should_Read_Json_As_The_Same_Objects_As_The_Equivalent_Yaml()
        {
            // Given: kubectl get -o json output, and the same as YAML
            var json = """
                {"apiVersion": "v1", "kind": "List", "items": [
                  {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "b", "namespace": "ml", "labels": {"ml.gitops/track": "stable"}},
                   "spec": {"replicas": 3, "paused": false, "template": {"spec": {"containers": [{"name": "server", "args": ["--port", "8080"]}]}}}},
                  {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "data": {"port": "8080", "empty": null}}
                ]}
                """;
            var yaml = """
                apiVersion: v1
                kind: List
                items:
                - apiVersion: apps/v1
                  kind: Deployment
                  metadata: {name: b, namespace: ml, labels: {ml.gitops/track: stable}}
                  spec: {replicas: 3, paused: false, template: {spec: {containers: [{name: server, args: ["--port", "8080"]}]}}}
                - apiVersion: v1
                  kind: ConfigMap
                  metadata: {name: c}
                  data: {port: "8080", empty: null}
                """;

            // When
            var fromJson = LiveState.Parse(json);
            var fromBytes = LiveState.Parse([0xEF, 0xBB, 0xBF, .. System.Text.Encoding.UTF8.GetBytes(json)], "live.json");
            var fromYaml = LiveState.Parse(yaml);

            // Then
            Assert.Empty(fromJson.Diagnostics);
            Assert.Equal(2, fromJson.Objects.Length);
            Assert.Equal(YamlWriter.WriteStream(fromYaml.Objects), YamlWriter.WriteStream(fromJson.Objects));
            Assert.Equal(YamlWriter.WriteStream(fromYaml.Objects), YamlWriter.WriteStream(fromBytes.Objects));
            Assert.Equal(3, fromJson.Objects[0]["spec"]!["replicas"]!.GetValue<long>());
            Assert.Equal(3, fromJson.Objects[0]["spec"]!["replicas"]!.GetValue<int>());
            Assert.Equal("8080", fromJson.Objects[1]["data"]!["port"]!.GetValue<string>());
        }

        [Fact]
        public void Should_Read_Several_Json_Values_And_Keep_The_Last_Of_Repeated_Keys()
        {
            // When
            var result = LiveState.Parse("""
                {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "a"}, "spec": {"type": "ClusterIP", "type": "NodePort"}}
                {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "b"}}
                """);

            // Then
            Assert.Empty(result.Diagnostics);
            Assert.Equal(["a", "b"], result.Objects.Select(o => o["metadata"]!["name"]!.ToString()));
            Assert.Equal("NodePort", result.Objects[0]["spec"]!["type"]!.GetValue<string>());
        }

        [Fact]
        public void Should_Read_Json_Like_Yaml_That_Is_Not_Json_As_Yaml()
        {
            // When: a YAML flow mapping starts like JSON
            var result = LiveState.Parse("{apiVersion: v1, kind: Service, metadata: {name: a}}\n");

            // Then
            Assert.Empty(result.Diagnostics);
            Assert.Equal("a", Assert.Single(result.Objects)["metadata"]!["name"]!.ToString());
        }

        [Fact]
        public void Should_Expand_Yaml_Aliases_As_Copies()
        {
            // When
            var result = LiveState.Parse("""
                apiVersion: v1
                kind: ConfigMap
                metadata:
                  name: a
                  labels: &labels {team: payments}
                  annotations: *labels
                """);

            // Then
            Assert.Empty(result.Diagnostics);
            var meta = Assert.Single(result.Objects)["metadata"]!;
            Assert.Equal("payments", meta["annotations"]!["team"]!.ToString());
            meta["annotations"]!["team"] = "changed";
            Assert.Equal("payments", meta["labels"]!["team"]!.ToString());
        }

        [Fact]
        public void Should_Report_Undefined_Aliases_And_Hostile_Nesting_Instead_Of_Failing()
        {
            // When
            var alias = LiveState.Parse("apiVersion: v1\nkind: ConfigMap\nmetadata: *nowhere\n", "live.yaml");
            var deep = LiveState.Parse(new string('[', 10_000) + new string(']', 10_000), "live.json");
            var deepYaml = LiveState.Parse(string.Concat(Enumerable.Range(0, 2_000).Select(i => new string(' ', i) + "a:\n")), "live.yaml");

            // Then
            Assert.Equal(PlanningDiagnostics.InvalidLiveState, Assert.Single(alias.Diagnostics).Id);
            Assert.Equal(PlanningDiagnostics.InvalidLiveState, Assert.Single(deep.Diagnostics).Id);
            Assert.Equal(PlanningDiagnostics.InvalidLiveState, Assert.Single(deepYaml.Diagnostics).Id);
            Assert.Contains("deeper", Assert.Single(deepYaml.Diagnostics).Message);
        }
        [Fact]
        public void Should_Never_Throw_On_Arbitrary_Input()
        {
            Gen.OneOf(
                    Gen.Byte.Array[0, 400],
                    Gen.String[Gen.Char["{}[]:,\"'- \n\t&*!|>#abc019.eE"], 0, 300].Select(t => System.Text.Encoding.UTF8.GetBytes(t)))
                .Sample(bytes =>
                {
                    // When
                    var result = LiveState.Parse(bytes, "live");

                    // Then: objects, or diagnostics that say where, never an exception
                    Assert.All(result.Diagnostics, d => Assert.Equal("live", d.Span.File));
                    Assert.All(result.Objects, o => Assert.NotNull(o["metadata"]?["name"]));
                }, iter: 600);
        }
    }
}

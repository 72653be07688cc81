using GitOps.Planning.Diff;
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

        [Fact]
        public void Should_Report_Invalid_Yaml_With_Its_Position()
        {
            // When
            var result = LiveState.Parse("apiVersion: v1\nkind: [unclosed\n", "live.yaml");

            // Then
            var d = Assert.Single(result.Diagnostics);
            Assert.Equal(PlanningDiagnostics.InvalidLiveState, d.Id);
            Assert.Equal("live.yaml", d.Span.File);
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
    }
}

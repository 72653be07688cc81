using Cel;
using GitOps.Policy.Expressions;

namespace GitOps.Policy.Tests;

/// <summary>
/// The CEL speed-up reaches into private fields of the Cel package; these tests fail when an upgrade moves them, so
/// the slowdown shows in CI rather than in users' validate and plan times.
/// </summary>
public sealed class CelEnumLookupsTests
{
    public sealed class TheTryDisableMethod
    {
        [Fact]
        public void Should_Empty_The_Enum_Descriptor_List_When_The_Cel_Package_Has_The_Expected_Internals()
        {
            // Given a fresh environment, which searches the protobuf well-known types for enums
            var environment = new CelEnvironment(null, null);
            var before = CelEnumLookups.DescriptorCount(environment);

            // When
            var disabled = CelEnumLookups.TryDisable(environment);

            // Then the private field exists, held descriptors, and holds none now
            Assert.NotNull(before);
            Assert.True(before > 0, $"a fresh CelEnvironment searched {before} protobuf files; the speed-up has nothing to remove");
            Assert.True(disabled);
            Assert.Equal(0, CelEnumLookups.DescriptorCount(environment));
        }

        [Fact]
        public void Should_Keep_The_Results_Of_Field_Selections_And_Functions_When_Disabled()
        {
            // Given
            var environment = new CelEnvironment(null, null);
            CelEnumLookups.TryDisable(environment);
            var variables = new Dictionary<string, object?>
            {
                ["metrics"] = new Dictionary<string, object?> { ["auc"] = 0.93, ["labels"] = new List<object?> { "a", "b" } },
            };

            // When
            var result = environment.Compile("metrics.auc >= 0.9 && size(metrics.labels) == 2").Invoke(variables!);

            // Then
            Assert.Equal(true, result);
        }
    }

    public sealed class TheSharedEnvironment
    {
        [Fact]
        public void Should_Run_Without_Enum_Lookups_When_Expressions_Are_Evaluated()
        {
            // Given the process-wide environment every policy, gate and analysis condition uses
            var outcome = CelExpressions.Evaluate("size(object.spec.name) > 0", new Dictionary<string, object?>
            {
                ["object"] = new Dictionary<string, object?> { ["spec"] = new Dictionary<string, object?> { ["name"] = "fraud" } },
            });

            // When
            var inEffect = CelExpressions.FastPathInEffect;

            // Then
            Assert.True(outcome.Succeeded);
            Assert.True(inEffect, "the Cel package's internals changed: CelEnumLookups no longer finds the descriptor list (see docs/architecture.md)");
        }
    }
}

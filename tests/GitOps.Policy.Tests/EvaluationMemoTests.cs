using CsCheck;
using GitOps.Policy.Expressions;

namespace GitOps.Policy.Tests;

public sealed class EvaluationMemoTests
{
    private static readonly string[] Expressions =
    [
        "object.spec.owner.startsWith('team-')",
        "has(object.spec.serving) && has(object.spec.serving.replicas) && object.spec.serving.replicas >= 2",
        "object.spec.serving.replicas >= 2",
        "envName != 'prod' || object.spec.serving.replicas > 2",
        "object.kind != 'Model' || object.spec.owner == 'team-' + object.metadata.labels.team",
        "object.spec.inputs.all(i, i.type == 'float32')",
        "size(object.spec.inputs) > 0 && object.spec.inputs[0].name != ''",
        "object.spec.inputs.exists(object, object.name == 'amount')",
        "'team' in object.metadata.labels",
        "object.spec",
        "envName",
    ];

    private static readonly Gen<object?> Scalar = Gen.OneOf<object?>(new IGen<object?>[] {
        Gen.Const<object?>((object?)null!), Gen.Long[0, 4].Select(l => (object?)l), Gen.Double[0, 4].Select(d => (object?)d),
        Gen.OneOf(new[] { "team-a", "team-b", "alice", "", "2" }).Select(s => (object?)s), Gen.Bool.Select(b => (object?)b) });

    private static readonly Gen<Dictionary<string, object?>> Variables =
        Gen.Select(Gen.OneOf(new[] { "Model", "Environment" }), Scalar, Scalar, Gen.Bool, Gen.Bool, Scalar,
            Gen.OneOf(new[] { "float32", "int64" }).Array[0, 3], Gen.OneOf(new string?[] { "prod", "dev", null }))
        .Select((kind, owner, replicas, hasServing, hasLabels, team, inputTypes, env) =>
        {
            var spec = new Dictionary<string, object?>
            {
                ["owner"] = owner,
                ["inputs"] = inputTypes.Select((t, i) => (object?)new Dictionary<string, object?> { ["name"] = i == 0 ? "amount" : $"f{i}", ["type"] = t }).ToList(),
            };
            if (hasServing)
            {
                spec["serving"] = new Dictionary<string, object?> { ["replicas"] = replicas };
            }
            var metadata = new Dictionary<string, object?> { ["name"] = "m" };
            if (hasLabels)
            {
                metadata["labels"] = new Dictionary<string, object?> { ["team"] = team };
            }
            return new Dictionary<string, object?>
            {
                ["object"] = new Dictionary<string, object?> { ["kind"] = kind, ["metadata"] = metadata, ["spec"] = spec },
                ["environment"] = null,
                ["envName"] = env,
            };
        });

    // Map and list results are equal by content, not by reference.
    private static string Describe(CelOutcome outcome) =>
        $"{outcome.Failure} {System.Text.Json.JsonSerializer.Serialize(outcome.Value)}";

    public sealed class TheEvaluateMethod
    {
        [Fact]
        public void Should_Return_What_A_Fresh_Evaluation_Returns_Whatever_Was_Evaluated_Before()
        {
            // Given
            var memo = new EvaluationMemo();

            // When / Then: one sampling thread, as the memo serves one evaluation pass on one thread
            Variables.Array[1, 10].Sample(batch =>
            {
                foreach (var variables in batch)
                {
                    foreach (var expression in Expressions)
                    {
                        var compiled = CelExpressions.Compile(expression);
                        var remembered = memo.Evaluate(compiled, variables);
                        var fresh = CelExpressions.Evaluate(compiled, variables);
                        Assert.Equal(Describe(fresh), Describe(remembered));
                    }
                }
            }, iter: 60, threads: 1);
            Assert.True(memo.Hits > 0);
        }

        [Fact]
        public void Should_Find_A_Map_Written_In_Another_Order_And_Not_A_Map_With_Another_Value()
        {
            // Given: a rule that reads a whole map
            var memo = new EvaluationMemo();
            var compiled = CelExpressions.Compile("size(object.metadata.labels) == 2 && object.metadata.labels.team == 'risk'");
            static Dictionary<string, object?> With(params (string Key, object? Value)[] labels) => new()
            {
                ["object"] = new Dictionary<string, object?>
                {
                    ["metadata"] = new Dictionary<string, object?> { ["labels"] = labels.ToDictionary(l => l.Key, l => l.Value) },
                },
            };

            // When
            var first = memo.Evaluate(compiled, With(("team", "risk"), ("app", "fraud")));
            var reordered = memo.Evaluate(compiled, With(("app", "fraud"), ("team", "risk")));
            var hitsAfterReordered = memo.Hits;
            var otherValue = memo.Evaluate(compiled, With(("app", "fraud"), ("team", "payments")));

            // Then
            Assert.Equal(true, first.Value);
            Assert.Equal(true, reordered.Value);
            Assert.Equal(1, hitsAfterReordered);
            Assert.Equal(false, otherValue.Value);
            Assert.Equal(1, memo.Hits);
        }
    }
}

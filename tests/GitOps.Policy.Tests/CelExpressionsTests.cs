using GitOps.Policy.Expressions;

namespace GitOps.Policy.Tests;

public sealed class CelExpressionsTests
{
    private static Dictionary<string, object?> Object(Dictionary<string, object?> spec) => new()
    {
        ["object"] = new Dictionary<string, object?> { ["spec"] = spec },
    };

    public sealed class TheCompileMethod
    {
        [Fact]
        public void Should_Return_The_Cached_Compilation_For_The_Same_Text()
        {
            // Given
            const string expression = "object.spec.replicas >= 2 && envName == 'prod'";

            // When
            var first = CelExpressions.Compile(expression);
            var second = CelExpressions.Compile(expression);

            // Then
            Assert.Same(first, second);
            Assert.True(first.IsValid);
        }

        [Fact]
        public void Should_Report_A_Syntax_Error_With_Its_Column_Instead_Of_Throwing()
        {
            // When
            var compiled = CelExpressions.Compile("metrics.auc >= ");

            // Then
            Assert.False(compiled.IsValid);
            Assert.Equal(ExpressionProblemKind.Syntax, compiled.Error!.Kind);
            Assert.Equal(15, compiled.Error.Column);
            Assert.StartsWith("syntax error at column 16", compiled.Error.Message);
        }

        [Fact]
        public void Should_Report_An_Empty_Expression()
        {
            // When
            var compiled = CelExpressions.Compile("  ");

            // Then
            Assert.Equal("the expression is empty", compiled.Error!.Message);
        }

        [Fact]
        public void Should_Record_Selections_Rooted_At_Variables_But_Not_At_Macro_Variables()
        {
            // When
            var shape = CelExpressions.Compile("object.spec.inputs.all(i, i.type == 'float32') && has(object.spec.owner)").Shape;

            // Then
            Assert.Equal(["object"], shape.Variables.Select(v => v.Name));
            Assert.Equal(["object.spec.inputs", "object.spec.owner"], shape.Selections.Select(s => string.Join('.', s)).Order());
        }
    }

    public sealed class TheCheckMethod
    {
        [Fact]
        public void Should_Suggest_The_Closest_Variable_When_A_Variable_Is_Unknown()
        {
            // When
            var problem = CelExpressions.Check("metric.auc >= 0.85", ExpressionChecks.GateVariables);

            // Then
            Assert.NotNull(problem);
            Assert.Equal(ExpressionProblemKind.UnknownVariable, problem.Kind);
            Assert.Equal(0, problem.Column);
            Assert.Equal("did you mean 'metrics'?", problem.Hint);
        }

        [Fact]
        public void Should_Accept_Variables_Bound_By_Macros()
        {
            // When
            var problem = CelExpressions.Check("object.spec.inputs.exists(x, x.name == 'amount')", ExpressionChecks.PolicyVariables);

            // Then
            Assert.Null(problem);
        }

        [Fact]
        public void Should_Report_A_Function_The_Implementation_Does_Not_Have()
        {
            // When
            var problem = CelExpressions.Check("object.metadata.name.lowerAscii() == 'x'", ExpressionChecks.PolicyVariables);

            // Then
            Assert.NotNull(problem);
            Assert.Equal(ExpressionProblemKind.UnknownFunction, problem.Kind);
            Assert.Equal(21, problem.Column);
        }

        [Theory]
        [InlineData("size(envName) > 0")]
        [InlineData("envName.size() > 0")]
        [InlineData("envName.contains('r')")]
        [InlineData("envName.startsWith('p')")]
        [InlineData("envName.endsWith('d')")]
        [InlineData("envName.matches('^p')")]
        [InlineData("matches(envName, '^p')")]
        [InlineData("int('2') == 2")]
        [InlineData("uint(2) == 2u")]
        [InlineData("double('1.5') == 1.5")]
        [InlineData("string(1) == '1'")]
        [InlineData("bool(true)")]
        [InlineData("bytes('a') == b'a'")]
        [InlineData("duration('5m') > duration('1m')")]
        [InlineData("timestamp('2024-01-01T00:00:00Z').getFullYear() == 2024")]
        [InlineData("[1, 2].all(x, x > 0) && [1, 2].exists(x, x == 2) && [1, 2].exists_one(x, x == 2)")]
        [InlineData("size([1, 2].filter(x, x > 1)) == 1 && size([1, 2].map(x, x * 2)) == 2")]
        [InlineData("type(1) == int && dyn(1) == 1")]
        public void Should_Accept_And_Evaluate_Every_Function_It_Lists_As_Supported(string expression)
        {
            // When
            var problem = CelExpressions.Check(expression, ExpressionChecks.PolicyVariables);
            var outcome = CelExpressions.Evaluate(expression, new Dictionary<string, object?> { ["envName"] = "prod" });

            // Then
            Assert.Null(problem);
            Assert.True(outcome.Succeeded, outcome.Failure?.Message);
            Assert.Equal(true, outcome.Value);
        }
    }

    public sealed class TheEvaluateMethod
    {
        [Fact]
        public void Should_Name_The_Missing_Field_And_Its_Parent()
        {
            // When
            var outcome = CelExpressions.Evaluate("object.spec.owner == 'x'", Object([]));

            // Then
            Assert.False(outcome.Succeeded);
            Assert.Equal(CelFailureKind.MissingField, outcome.Failure!.Kind);
            Assert.Equal("owner", outcome.Failure.Field);
            Assert.Equal("object.spec", outcome.Failure.Parent);
        }

        [Fact]
        public void Should_Let_Has_Guard_A_Missing_Field()
        {
            // When
            var outcome = CelExpressions.Evaluate("!has(object.spec.owner) || object.spec.owner == 'x'", Object([]));

            // Then
            Assert.Equal(true, outcome.Value);
        }

        [Fact]
        public void Should_Fail_Has_On_A_Missing_Parent_Naming_The_Parent()
        {
            // When
            var outcome = CelExpressions.Evaluate("has(object.spec.serving.replicas)", Object([]));

            // Then
            Assert.Equal("field 'serving' is missing from 'object.spec'", outcome.Failure!.Message);
        }

        [Fact]
        public void Should_Report_A_Missing_Field_Used_As_A_Function_Argument()
        {
            // When
            var outcome = CelExpressions.Evaluate("size(object.spec.description) > 10", Object([]));

            // Then
            Assert.Equal("description", outcome.Failure!.Field);
        }

        [Fact]
        public void Should_Report_A_Missing_Map_That_Is_Indexed()
        {
            // When
            var outcome = CelExpressions.Evaluate("object.spec.labels['team'] != ''", Object([]));

            // Then
            Assert.Equal("labels", outcome.Failure!.Field);
        }

        [Fact]
        public void Should_Not_Report_Fields_Of_A_Branch_That_Was_Not_Taken()
        {
            // When
            var outcome = CelExpressions.Evaluate("object.spec.kind != 'Model' || object.spec.training.image == 'x'",
                Object(new() { ["kind"] = "Environment" }));

            // Then
            Assert.Equal(true, outcome.Value);
        }

        [Fact]
        public void Should_Report_A_Type_Error_As_A_Value()
        {
            // When
            var outcome = CelExpressions.Evaluate("object.spec.replicas > 2", Object(new() { ["replicas"] = "three" }));

            // Then
            Assert.Equal(CelFailureKind.TypeError, outcome.Failure!.Kind);
        }

        [Fact]
        public void Should_Report_Selecting_A_Field_Of_A_Scalar_As_A_Type_Error()
        {
            // When
            var outcome = CelExpressions.Evaluate("object.spec.owner.name == 'x'", Object(new() { ["owner"] = "team" }));

            // Then
            Assert.Equal(CelFailureKind.TypeError, outcome.Failure!.Kind);
        }

        [Fact]
        public void Should_Return_A_Non_Boolean_Result_As_It_Is()
        {
            // When
            var outcome = CelExpressions.Evaluate("object.spec.owner", Object(new() { ["owner"] = "team" }));

            // Then
            Assert.Equal("team", outcome.Value);
        }

        [Fact]
        public void Should_Report_A_Syntax_Error_When_Evaluating_An_Invalid_Expression()
        {
            // When
            var outcome = CelExpressions.Evaluate("1 +", new Dictionary<string, object?>());

            // Then
            Assert.Equal(CelFailureKind.Syntax, outcome.Failure!.Kind);
        }

        [Fact]
        public void Should_Compare_Integers_With_Doubles()
        {
            // When
            var outcome = CelExpressions.Evaluate("object.spec.replicas >= 2.0 && object.spec.ratio < 1",
                Object(new() { ["replicas"] = 3L, ["ratio"] = 0.5 }));

            // Then
            Assert.Equal(true, outcome.Value);
        }

        [Fact]
        public void Should_Report_Division_By_Zero_As_A_Value()
        {
            // When
            var outcome = CelExpressions.Evaluate("1 / 0 == 1", new Dictionary<string, object?>());

            // Then
            Assert.False(outcome.Succeeded);
        }
    }
}

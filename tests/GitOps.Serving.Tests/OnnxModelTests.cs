using System.Collections.Immutable;
using GitOps.Serving.Model;
using GitOps.Serving.Protocol;
using GitOps.Training.Datasets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Testing;

namespace GitOps.Serving.Tests;

public sealed class OnnxModelTests
{
    [Collection(nameof(ServingCollection))]
    public sealed class TheLoadMethod(ServingFixture fixture)
    {
        [Fact]
        public void Should_Use_Cpu_Without_Trying_Cuda_When_Cpu_Is_Asked_For()
        {
            // Given // When
            using var model = OnnxModel.Load(fixture.ModelPath, new ModelSessionOptions { Device = DevicePreference.Cpu, Threads = 2 }, NullLogger.Instance);

            // Then
            Assert.Equal(OnnxModel.CpuProvider, model.ExecutionProvider);
            Assert.Null(model.FallbackReason);
            Assert.True(model.Batchable);
        }

        [Fact]
        public void Should_Run_On_Cuda_Or_Say_At_Information_Level_That_It_Uses_The_Cpu()
        {
            // Given
            var logger = new FakeLogger();

            // When
            using var model = OnnxModel.Load(fixture.ModelPath, new ModelSessionOptions { Device = DevicePreference.Auto }, logger);

            // Then a machine without a GPU is normal for auto: nothing above information level
            Assert.Contains(model.ExecutionProvider, new[] { OnnxModel.CudaProvider, OnnxModel.CpuProvider });
            Assert.Equal(model.ExecutionProvider == OnnxModel.CpuProvider, model.FallbackReason is not null);
            var records = logger.Collector.GetSnapshot();
            Assert.All(records, r => Assert.Equal(LogLevel.Information, r.Level));
            if (model.ExecutionProvider == OnnxModel.CpuProvider)
            {
                Assert.Contains(records, r => r.Message.StartsWith("Using CPU (no CUDA device)", StringComparison.Ordinal) && r.Message.Contains(model.FallbackReason!, StringComparison.Ordinal));
            }
        }

        [Fact]
        public void Should_Fail_With_The_Reason_When_Cuda_Is_Required_But_Not_Usable()
        {
            // Given
            using var probe = OnnxModel.Load(fixture.ModelPath, new ModelSessionOptions { Device = DevicePreference.Auto }, NullLogger.Instance);
            if (probe.ExecutionProvider == OnnxModel.CudaProvider)
            {
                // A machine with a usable GPU loads on CUDA, which the test above covers.
                return;
            }

            // When
            var error = Assert.Throws<ModelLoadException>(() => OnnxModel.Load(fixture.ModelPath, new ModelSessionOptions { Device = DevicePreference.Cuda }, NullLogger.Instance));

            // Then
            Assert.StartsWith("CUDA was required but is not usable: ", error.Message);
        }

        [Fact]
        public void Should_Explain_A_File_That_Is_Not_A_Model()
        {
            // Given
            var path = Path.Combine(fixture.Root, "not-a-model.onnx");
            File.WriteAllText(path, "hello");

            // When
            var error = Assert.Throws<ModelLoadException>(() => OnnxModel.Load(path, new ModelSessionOptions { Device = DevicePreference.Cpu }, NullLogger.Instance));

            // Then
            Assert.StartsWith($"model '{path}' cannot be loaded by ONNX Runtime", error.Message);
        }

        [Fact]
        public void Should_Serve_Outputs_Without_The_Export_Suffix()
        {
            // Given // When // Then
            Assert.Equal("Probability", OnnxModel.ServedName("Probability.output"));
            Assert.Equal("logits", OnnxModel.ServedName("logits"));
        }
    }

    [Collection(nameof(ServingCollection))]
    public sealed class TheRunMethod(ServingFixture fixture)
    {
        [Theory]
        [InlineData(1)]
        [InlineData(2)]
        [InlineData(7)]
        [InlineData(64)]
        [InlineData(65)]
        public void Should_Answer_What_The_Trainer_Computed_And_What_A_Plain_Run_Answers(int rows)
        {
            // Given
            using var model = OnnxModel.Load(fixture.ModelPath, new ModelSessionOptions { Device = DevicePreference.Cpu }, NullLogger.Instance);

            // When: twice from different rows, so a reused slot cannot keep the first run's values
            var first = model.Run(Inputs(model, 0, rows));
            var second = model.Run(Inputs(model, 100, rows));

            // Then
            Assert.True(model.ReusesValues);
            AssertSame(model.RunOnce(Inputs(model, 0, rows)), first);
            AssertSame(model.RunOnce(Inputs(model, 100, rows)), second);
            var probability = model.Outputs.IndexOf(model.Outputs.Single(o => o.Name == "Probability"));
            Assert.Equal(fixture.ExpectedProbabilities.Skip(100).Take(rows), (float[])second[probability].Data, (a, b) => Math.Abs(a - b) < 1e-5f);
        }

        [Fact]
        public void Should_Give_Each_Of_Many_Concurrent_Runs_Its_Own_Rows()
        {
            // Given runs of 1 to 4 rows from every start, with what a plain run answers for each
            using var model = OnnxModel.Load(fixture.ModelPath, new ModelSessionOptions { Device = DevicePreference.Cpu }, NullLogger.Instance);
            var runs = Enumerable.Range(0, 160).Select(i => (From: i, Rows: 1 + (i % 4))).ToList();
            var expected = runs.Select(r => model.RunOnce(Inputs(model, r.From, r.Rows))).ToList();

            // When four threads run them all at once, three times
            var answers = new ImmutableArray<Tensor>[runs.Count * 3];
            Parallel.For(0, answers.Length, new ParallelOptions { MaxDegreeOfParallelism = 4 },
                i => answers[i] = model.Run(Inputs(model, runs[i % runs.Count].From, runs[i % runs.Count].Rows)));

            // Then
            Assert.True(model.ReusesValues);
            for (var i = 0; i < answers.Length; i++)
            {
                AssertSame(expected[i % runs.Count], answers[i]);
            }
        }

        [Fact]
        public void Should_Refuse_Inputs_That_Do_Not_Fit_As_A_Plain_Run_Does_And_Keep_Reusing_Values()
        {
            // Given a run whose first input has one row too few for its shape
            using var model = OnnxModel.Load(fixture.ModelPath, new ModelSessionOptions { Device = DevicePreference.Cpu }, NullLogger.Instance);
            var inputs = Inputs(model, 0, 3).ToArray();
            inputs[0] = inputs[0] with { Data = ((float[])inputs[0].Data)[..2] };

            // and one whose first input is FP64 where the model takes FP32
            var wrongType = Inputs(model, 0, 3).ToArray();
            wrongType[0] = wrongType[0] with { Datatype = TensorDatatype.Fp64, Data = ((float[])wrongType[0].Data).Select(v => (double)v).ToArray() };

            // When // Then the plain run's errors, and the next good run is answered as before
            foreach (var bad in new[] { inputs, wrongType })
            {
                var plain = Assert.ThrowsAny<Exception>(() => model.RunOnce(bad));
                var error = Assert.ThrowsAny<Exception>(() => model.Run(bad));
                Assert.Equal(plain.GetType(), error.GetType());
                Assert.Equal(plain.Message, error.Message);
            }
            Assert.True(model.ReusesValues);
            AssertSame(model.RunOnce(Inputs(model, 5, 3)), model.Run(Inputs(model, 5, 3)));
        }

        private IReadOnlyList<Tensor> Inputs(OnnxModel model, int from, int rows) =>
            [.. model.Inputs.Select(input =>
            {
                var feature = FraudDataset.Features.ToList().IndexOf(input.Name);
                var data = Enumerable.Range(from, rows).Select(r => fixture.Rows[r][feature]).ToArray();
                return new Tensor(input.Name, input.Datatype, [rows, 1], data);
            })];

        private static void AssertSame(ImmutableArray<Tensor> expected, ImmutableArray<Tensor> actual)
        {
            Assert.Equal(expected.Length, actual.Length);
            for (var i = 0; i < expected.Length; i++)
            {
                Assert.Equal(expected[i].Name, actual[i].Name);
                Assert.Equal(expected[i].Datatype, actual[i].Datatype);
                Assert.Equal(expected[i].Shape.ToArray(), actual[i].Shape.ToArray());
                Assert.Equal(expected[i].Data.Cast<object>(), actual[i].Data.Cast<object>());
            }
        }
    }
}

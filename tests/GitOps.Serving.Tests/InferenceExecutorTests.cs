using System.Collections.Concurrent;
using System.Collections.Immutable;
using GitOps.Serving.Batching;
using GitOps.Serving.Model;
using GitOps.Serving.Protocol;
using Microsoft.Extensions.Logging.Abstractions;

namespace GitOps.Serving.Tests;

public sealed class InferenceExecutorTests
{
    [Collection(nameof(ServingCollection))]
    public sealed class TheRunAsyncMethod(ServingFixture fixture)
    {
        private InferenceRequest Request(int from, int rows)
        {
            var inputs = Enumerable.Range(0, fixture.Rows[0].Length)
                .Select(f => new Tensor(
                    GitOps.Training.Datasets.FraudDataset.Features[f],
                    TensorDatatype.Fp32,
                    [rows, 1],
                    Enumerable.Range(from, rows).Select(r => fixture.Rows[r][f]).ToArray()))
                .ToImmutableArray();
            return new InferenceRequest(null, inputs, rows, []);
        }

        [Fact]
        public async Task Should_Give_Each_Concurrent_Request_The_Same_Answer_As_An_Unbatched_Run()
        {
            // Given
            using var model = OnnxModel.Load(fixture.ModelPath, new ModelSessionOptions { Device = DevicePreference.Cpu }, NullLogger.Instance);
            var batches = new ConcurrentBag<int>();
            await using var executor = new InferenceExecutor(model, new BatchingOptions { MaxBatchSize = 32, MaxDelay = TimeSpan.FromMilliseconds(50) }, TimeProvider.System, batches.Add);
            var requests = Enumerable.Range(0, 64).Select(i => Request(i, 1 + i % 3)).ToList();
            var unbatched = requests.Select(r => model.Run(r.Inputs)).ToList();

            // When
            var batched = await Task.WhenAll(requests.Select(r => executor.RunAsync(r, CancellationToken.None).AsTask()));

            // Then
            Assert.True(executor.Batching);
            for (var i = 0; i < requests.Count; i++)
            {
                Assert.Equal(unbatched[i].Select(t => t.Name), batched[i].Select(t => t.Name));
                for (var o = 0; o < unbatched[i].Length; o++)
                {
                    Assert.Equal(unbatched[i][o].Shape.ToArray(), batched[i][o].Shape.ToArray());
                    Assert.Equal(unbatched[i][o].Data.Cast<object>(), batched[i][o].Data.Cast<object>());
                }
            }
            Assert.Equal(requests.Sum(r => r.Rows), batches.Sum());
            Assert.All(batches, b => Assert.InRange(b, 1, 32));
            Assert.Contains(batches, b => b > 3);
        }

        [Fact]
        public async Task Should_Run_Directly_When_Batching_Is_Off()
        {
            // Given
            using var model = OnnxModel.Load(fixture.ModelPath, new ModelSessionOptions { Device = DevicePreference.Cpu }, NullLogger.Instance);
            var batches = new ConcurrentBag<int>();
            await using var executor = new InferenceExecutor(model, new BatchingOptions { MaxBatchSize = 1 }, TimeProvider.System, batches.Add);

            // When
            var results = await Task.WhenAll(Enumerable.Range(0, 10).Select(i => executor.RunAsync(Request(i, 2), CancellationToken.None).AsTask()));

            // Then
            Assert.False(executor.Batching);
            Assert.Equal(Enumerable.Repeat(2, 10), batches);
            Assert.All(results, r => Assert.Equal(new long[] { 2, 1 }, r.Single(t => t.Name == "Probability").Shape.ToArray()));
        }
    }

    public sealed class TheTensorBatch
    {
        [Fact]
        public void Should_Split_Concatenated_Rows_Back_In_Request_Order()
        {
            // Given
            var a = new InferenceRequest(null, [new Tensor("x", TensorDatatype.Fp32, [1, 2], new float[] { 1, 2 })], 1, []);
            var b = new InferenceRequest(null, [new Tensor("x", TensorDatatype.Fp32, [2, 2], new float[] { 3, 4, 5, 6 })], 2, []);

            // When
            var merged = TensorBatch.Concat([a, b]);
            var split = TensorBatch.Split(merged, [a, b])!;

            // Then
            Assert.Equal(new long[] { 3, 2 }, merged[0].Shape.ToArray());
            Assert.Equal(new float[] { 1, 2, 3, 4, 5, 6 }, (float[])merged[0].Data);
            Assert.Equal(a.Inputs[0].Data.Cast<float>(), split[0][0].Data.Cast<float>());
            Assert.Equal(b.Inputs[0].Data.Cast<float>(), split[1][0].Data.Cast<float>());
            Assert.Equal(new long[] { 2, 2 }, split[1][0].Shape.ToArray());
        }

        [Fact]
        public void Should_Refuse_To_Split_Outputs_Whose_First_Dimension_Is_Not_The_Batch()
        {
            // Given
            var a = new InferenceRequest(null, [new Tensor("x", TensorDatatype.Fp32, [1, 1], new float[] { 1 })], 1, []);
            var b = new InferenceRequest(null, [new Tensor("x", TensorDatatype.Fp32, [1, 1], new float[] { 2 })], 1, []);
            ImmutableArray<Tensor> pooled = [new Tensor("mean", TensorDatatype.Fp32, [1], new float[] { 1.5f })];

            // When
            var split = TensorBatch.Split(pooled, [a, b]);

            // Then
            Assert.Null(split);
        }
    }
}

using GitOps.Serving.Model;
using Microsoft.Extensions.Logging.Abstractions;

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
        public void Should_Run_On_Cuda_Or_Say_Why_It_Fell_Back_To_Cpu()
        {
            // Given // When
            using var model = OnnxModel.Load(fixture.ModelPath, new ModelSessionOptions { Device = DevicePreference.Auto }, NullLogger.Instance);

            // Then
            Assert.Contains(model.ExecutionProvider, new[] { OnnxModel.CudaProvider, OnnxModel.CpuProvider });
            Assert.Equal(model.ExecutionProvider == OnnxModel.CpuProvider, model.FallbackReason is not null);
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
}

using GitOps.Serving.Model;
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
}

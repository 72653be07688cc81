using System.Collections.Immutable;
using GitOps.Serving.Protocol;
using Microsoft.Extensions.Logging;
using Microsoft.ML.OnnxRuntime;

namespace GitOps.Serving.Model;

/// <summary>
/// An ONNX model loaded into an ONNX Runtime session on CUDA when a GPU is usable, otherwise on CPU.
/// Outputs are served under their graph name without ML.NET's <c>.output</c> suffix. Thread-safe.
/// </summary>
public sealed class OnnxModel : IDisposable
{
    public const string CudaProvider = "cuda";
    public const string CpuProvider = "cpu";

    private readonly InferenceSession _session;
    private readonly string[] _graphInputNames;
    private readonly string[] _graphOutputNames;
    // Shared by every run: ONNX Runtime only reads run options (no run here sets a tag or a terminate flag).
    private readonly RunOptions _runOptions = new();

    private OnnxModel(InferenceSession session, string executionProvider, string? fallbackReason)
    {
        _session = session;
        ExecutionProvider = executionProvider;
        FallbackReason = fallbackReason;
        Inputs = [.. session.InputNames.Select(n => Signature(n, n, session.InputMetadata[n]))];
        _graphInputNames = [.. session.InputNames];
        _graphOutputNames = [.. session.OutputNames];
        Outputs = [.. session.OutputNames.Select(n => Signature(n, ServedName(n), session.OutputMetadata[n]))];
        Batchable = Inputs.All(i => i.Shape.Length > 0 && i.Shape[0] < 0) && Outputs.All(o => o.Shape.Length > 0 && o.Shape[0] < 0);
    }

    /// <summary><c>cuda</c> or <c>cpu</c>: the provider the session actually runs on.</summary>
    public string ExecutionProvider { get; }
    /// <summary>Why CUDA was not used, when it was tried and failed.</summary>
    public string? FallbackReason { get; }
    public ImmutableArray<TensorSignature> Inputs { get; }
    public ImmutableArray<TensorSignature> Outputs { get; }
    /// <summary>True when every input and output has a dynamic first dimension, so requests can be merged.</summary>
    public bool Batchable { get; }

    /// <summary>Loads a model; throws <see cref="ModelLoadException"/> with a readable message when it cannot.</summary>
    public static OnnxModel Load(string path, ModelSessionOptions options, ILogger logger)
    {
        if (!File.Exists(path))
        {
            throw new ModelLoadException($"model file '{path}' does not exist");
        }
        string? fallbackReason = null;
        if (options.Device != DevicePreference.Cpu)
        {
            // Listing providers is not enough: the GPU package always lists CUDA. Only creating a session
            // with it proves that the driver and CUDA libraries are present.
            // ONNX Runtime prints its own error when the CUDA library cannot load; the log line below says it
            // once, in the server's log format, so its logger is quietened for the attempt.
            var env = OrtEnv.Instance();
            var level = env.EnvLogLevel;
            env.EnvLogLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_FATAL;
            try
            {
                var session = new InferenceSession(path, CreateOptions(options, cuda: true));
                logger.LogInformation("Loaded {Model} on the CUDA execution provider (device {Device})", path, options.CudaDeviceId);
                return Create(session, CudaProvider, null);
            }
            catch (Exception e) when (e is OnnxRuntimeException or DllNotFoundException or EntryPointNotFoundException or TypeInitializationException)
            {
                fallbackReason = e.Message.Split('\n')[0];
                if (options.Device == DevicePreference.Cuda)
                {
                    throw new ModelLoadException($"CUDA was required but is not usable: {fallbackReason}");
                }
                // A machine without a GPU is the normal case for auto, not a fault: information, not a warning.
                logger.LogInformation("Using CPU (no CUDA device): the CUDA execution provider needs an NVIDIA driver, CUDA 13 and cuDNN 9 ({Reason})", fallbackReason);
            }
            finally
            {
                env.EnvLogLevel = level;
            }
        }
        try
        {
            var session = new InferenceSession(path, CreateOptions(options, cuda: false));
            logger.LogInformation("Loaded {Model} on the CPU execution provider with {Threads} intra-op thread(s)", path, options.Threads);
            return Create(session, CpuProvider, fallbackReason);
        }
        catch (OnnxRuntimeException e)
        {
            throw new ModelLoadException($"model '{path}' cannot be loaded by ONNX Runtime: {e.Message.Split('\n')[0]}");
        }
    }

    private static OnnxModel Create(InferenceSession session, string provider, string? fallbackReason)
    {
        try
        {
            return new OnnxModel(session, provider, fallbackReason);
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    private static SessionOptions CreateOptions(ModelSessionOptions options, bool cuda)
    {
        var so = new SessionOptions
        {
            IntraOpNumThreads = Math.Max(1, options.Threads),
            InterOpNumThreads = 1,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
        };
        if (cuda)
        {
            so.AppendExecutionProvider_CUDA(options.CudaDeviceId);
        }
        return so;
    }

    /// <summary>The name clients use for a graph output: ML.NET's <c>.output</c> suffix removed.</summary>
    public static string ServedName(string graphName) =>
        graphName.EndsWith(".output", StringComparison.Ordinal) ? graphName[..^".output".Length] : graphName;

    private static TensorSignature Signature(string graphName, string servedName, NodeMetadata metadata)
    {
        if (!metadata.IsTensor)
        {
            throw new ModelLoadException($"'{graphName}' is not a tensor ({metadata.OnnxValueType}); the server serves tensor inputs and outputs only");
        }
        var datatype = TensorDatatype.FromOnnx(metadata.ElementDataType)
            ?? throw new ModelLoadException($"'{graphName}' has element type {metadata.ElementDataType}; the server supports {string.Join(", ", TensorDatatype.All.Select(d => d.Name))}");
        return new TensorSignature(servedName, datatype, [.. metadata.Dimensions.Select(d => d < 0 ? -1L : d)]);
    }

    /// <summary>Runs one inference; <paramref name="inputs"/> are in <see cref="Inputs"/> order.</summary>
    public ImmutableArray<Tensor> Run(IReadOnlyList<Tensor> inputs)
    {
        var values = new OrtValue[inputs.Count];
        try
        {
            for (var i = 0; i < inputs.Count; i++)
            {
                values[i] = CreateValue(inputs[i]);
            }
            using var results = _session.Run(_runOptions, _graphInputNames, values, _graphOutputNames);
            var outputs = ImmutableArray.CreateBuilder<Tensor>(results.Count);
            for (var i = 0; i < results.Count; i++)
            {
                outputs.Add(ReadValue(Outputs[i], results[i]));
            }
            return outputs.MoveToImmutable();
        }
        finally
        {
            foreach (var value in values)
            {
                value?.Dispose();
            }
        }
    }

    /// <summary>A one-row input of zeros for every input, used to warm the session up before readiness.</summary>
    public ImmutableArray<Tensor> WarmUpInputs() =>
        [.. Inputs.Select(s =>
        {
            var shape = s.Shape.Select(d => d < 0 ? 1L : d).ToImmutableArray();
            var length = (int)shape.Aggregate(1L, (a, b) => a * b);
            return new Tensor(s.Name, s.Datatype, shape, s.Datatype.NewArray(length));
        })];

    private static OrtValue CreateValue(Tensor tensor)
    {
        var shape = tensor.Shape.ToArray();
        return tensor.Data switch
        {
            float[] a => OrtValue.CreateTensorValueFromMemory(a, shape),
            double[] a => OrtValue.CreateTensorValueFromMemory(a, shape),
            sbyte[] a => OrtValue.CreateTensorValueFromMemory(a, shape),
            byte[] a => OrtValue.CreateTensorValueFromMemory(a, shape),
            int[] a => OrtValue.CreateTensorValueFromMemory(a, shape),
            long[] a => OrtValue.CreateTensorValueFromMemory(a, shape),
            bool[] a => OrtValue.CreateTensorValueFromMemory(a, shape),
            _ => throw new ArgumentException($"unsupported tensor data {tensor.Data.GetType()}", nameof(tensor)),
        };
    }

    private static Tensor ReadValue(TensorSignature signature, OrtValue value)
    {
        var info = value.GetTensorTypeAndShape();
        var shape = info.Shape.ToImmutableArray();
        Array data = signature.Datatype.Name switch
        {
            "FP32" => value.GetTensorDataAsSpan<float>().ToArray(),
            "FP64" => value.GetTensorDataAsSpan<double>().ToArray(),
            "INT8" => value.GetTensorDataAsSpan<sbyte>().ToArray(),
            "UINT8" => value.GetTensorDataAsSpan<byte>().ToArray(),
            "INT32" => value.GetTensorDataAsSpan<int>().ToArray(),
            "INT64" => value.GetTensorDataAsSpan<long>().ToArray(),
            "BOOL" => value.GetTensorDataAsSpan<bool>().ToArray(),
            _ => throw new InvalidOperationException($"unsupported output datatype {signature.Datatype}"),
        };
        return new Tensor(signature.Name, signature.Datatype, shape, data);
    }

    public void Dispose()
    {
        _session.Dispose();
        _runOptions.Dispose();
    }
}

/// <summary>A model that cannot be served, with a message for the operator.</summary>
public sealed class ModelLoadException(string message) : Exception(message);

using System.Collections.Immutable;
using System.Runtime.InteropServices;
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
    // Null when runs cannot have values made once and reused (see RunSlots).
    private RunSlots? _slots;

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
        // Every dimension but the batch one fixed: a run of N rows has one known shape for each input and output.
        _slots = executionProvider == CpuProvider && Batchable && Inputs.Concat(Outputs).All(t => t.Shape.Skip(1).All(d => d >= 0))
            ? new RunSlots(this)
            : null;
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
        if (_slots is { } slots && slots.TryRun(inputs, out var outputs))
        {
            return outputs;
        }
        return RunOnce(inputs);
    }

    /// <summary>Whether runs reuse values bound once (<see cref="RunSlots"/>); false after they failed where a plain run did not.</summary>
    internal bool ReusesValues => _slots is not null;

    /// <summary>A run with values made for it and released after it: any shape, any provider.</summary>
    internal ImmutableArray<Tensor> RunOnce(IReadOnlyList<Tensor> inputs)
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
        // ONNX Runtime copies the shape into the value it makes; the array behind the immutable shape is only read.
        var shape = ImmutableCollectionsMarshal.AsArray(tensor.Shape)!;
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
        // A new array per call, owned by nobody else.
        var shape = ImmutableCollectionsMarshal.AsImmutableArray(info.Shape);
        return new Tensor(signature.Name, signature.Datatype, shape, CopyOut(signature, value));
    }

    /// <summary>A copy of a value's elements in the array type of the signature's datatype.</summary>
    private static Array CopyOut(TensorSignature signature, OrtValue value) => signature.Datatype.Name switch
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

    public void Dispose()
    {
        _slots?.Dispose();
        _session.Dispose();
        _runOptions.Dispose();
    }

    /// <summary>
    /// Runs of a few rows on the CPU, with nothing made per run: for each number of rows up to <see cref="MaxRows"/>,
    /// idle slots keep the input and output values ONNX Runtime allocated once and a binding of them to the session.
    /// A run copies its inputs into a slot's values, runs the binding and copies the outputs out. A plain run makes
    /// nine values, name tables and result lists for a nine-input model, each request; this makes none. Used only
    /// when every dimension but the batch one is fixed, so a number of rows has one shape. Should a bound run fail
    /// where a plain run of the same inputs succeeds, the model stops using slots.
    /// </summary>
    private sealed class RunSlots(OnnxModel model) : IDisposable
    {
        public const int MaxRows = 64;
        private const int IdlePerRows = 4;
        private readonly Stack<Slot>?[] _idle = new Stack<Slot>?[MaxRows + 1];
        private bool _disposed;

        public bool TryRun(IReadOnlyList<Tensor> inputs, out ImmutableArray<Tensor> outputs)
        {
            outputs = default;
            var rows = inputs.Count == 0 || inputs[0].Shape.Length == 0 ? 0 : inputs[0].Shape[0];
            if (rows is < 1 or > MaxRows || Take((int)rows) is not { } slot)
            {
                return false;
            }
            var keep = true;
            try
            {
                if (!slot.Fill(inputs, model.Inputs))
                {
                    return false;
                }
                try
                {
                    model._session.RunWithBinding(model._runOptions, slot.Binding);
                }
                catch (OnnxRuntimeException)
                {
                    keep = false;
                    // The same inputs through a plain run: its error is the inputs' (thrown from here, slots kept);
                    // its success says the bound run is what fails on this model.
                    outputs = model.RunOnce(inputs);
                    model._slots = null;
                    Dispose();
                    return true;
                }
                outputs = slot.Read(model.Outputs);
                return true;
            }
            finally
            {
                if (keep)
                {
                    Return(slot);
                }
                else
                {
                    slot.Dispose();
                }
            }
        }

        private Slot? Take(int rows)
        {
            lock (_idle)
            {
                if (_disposed)
                {
                    return null;
                }
                if (_idle[rows] is { Count: > 0 } idle)
                {
                    return idle.Pop();
                }
            }
            return Slot.Create(model, rows);
        }

        private void Return(Slot slot)
        {
            lock (_idle)
            {
                var idle = _idle[slot.Rows] ??= new Stack<Slot>(IdlePerRows);
                if (!_disposed && idle.Count < IdlePerRows)
                {
                    idle.Push(slot);
                    return;
                }
            }
            slot.Dispose();
        }

        public void Dispose()
        {
            lock (_idle)
            {
                _disposed = true;
                foreach (var idle in _idle)
                {
                    while (idle is { Count: > 0 })
                    {
                        idle.Pop().Dispose();
                    }
                }
            }
        }
    }

    /// <summary>Input and output values for one number of rows, allocated by ONNX Runtime and bound to the session.</summary>
    private sealed class Slot(int rows, OrtIoBinding binding, OrtValue[] inputs, OrtValue[] outputs, long[][] outputShapes) : IDisposable
    {
        public int Rows => rows;
        public OrtIoBinding Binding => binding;

        public static Slot Create(OnnxModel model, int rows)
        {
            var inputValues = new OrtValue[model.Inputs.Length];
            var outputValues = new OrtValue[model.Outputs.Length];
            var shapes = new long[model.Outputs.Length][];
            var bound = model._session.CreateIoBinding();
            try
            {
                for (var i = 0; i < inputValues.Length; i++)
                {
                    inputValues[i] = OrtValue.CreateAllocatedTensorValue(OrtAllocator.DefaultInstance, model.Inputs[i].Datatype.OnnxType, ShapeOf(model.Inputs[i], rows));
                    bound.BindInput(model._graphInputNames[i], inputValues[i]);
                }
                for (var i = 0; i < outputValues.Length; i++)
                {
                    shapes[i] = TensorShapes.Shared(ShapeOf(model.Outputs[i], rows));
                    outputValues[i] = OrtValue.CreateAllocatedTensorValue(OrtAllocator.DefaultInstance, model.Outputs[i].Datatype.OnnxType, shapes[i]);
                    bound.BindOutput(model._graphOutputNames[i], outputValues[i]);
                }
                return new Slot(rows, bound, inputValues, outputValues, shapes);
            }
            catch
            {
                Release(bound, inputValues, outputValues);
                throw;
            }
        }

        private static long[] ShapeOf(TensorSignature signature, int rows)
        {
            var shape = signature.Shape.ToArray();
            shape[0] = rows;
            return shape;
        }

        /// <summary>Copies the inputs in; false when one does not have the slot's datatype or length (then a plain run
        /// reads it, and says what is wrong).</summary>
        public bool Fill(IReadOnlyList<Tensor> given, ImmutableArray<TensorSignature> signatures)
        {
            for (var i = 0; i < inputs.Length; i++)
            {
                // A tensor's data is an array of its datatype's element type, so the datatype decides the copy.
                if (given[i].Datatype != signatures[i].Datatype)
                {
                    return false;
                }
                var copied = given[i].Data switch
                {
                    float[] a => Copy(a, inputs[i]),
                    double[] a => Copy(a, inputs[i]),
                    sbyte[] a => Copy(a, inputs[i]),
                    byte[] a => Copy(a, inputs[i]),
                    int[] a => Copy(a, inputs[i]),
                    long[] a => Copy(a, inputs[i]),
                    bool[] a => Copy(a, inputs[i]),
                    _ => false,
                };
                if (!copied)
                {
                    return false;
                }
            }
            return true;
        }

        private static bool Copy<T>(T[] data, OrtValue value) where T : unmanaged
        {
            var target = value.GetTensorMutableDataAsSpan<T>();
            if (target.Length != data.Length)
            {
                return false;
            }
            data.CopyTo(target);
            return true;
        }

        public ImmutableArray<Tensor> Read(ImmutableArray<TensorSignature> signatures)
        {
            var read = new Tensor[outputs.Length];
            for (var i = 0; i < read.Length; i++)
            {
                read[i] = new Tensor(signatures[i].Name, signatures[i].Datatype, ImmutableCollectionsMarshal.AsImmutableArray(outputShapes[i]), CopyOut(signatures[i], outputs[i]));
            }
            return ImmutableCollectionsMarshal.AsImmutableArray(read);
        }

        public void Dispose() => Release(binding, inputs, outputs);

        private static void Release(OrtIoBinding binding, OrtValue[] inputs, OrtValue[] outputs)
        {
            binding.Dispose();
            foreach (var value in inputs.Concat(outputs))
            {
                value?.Dispose();
            }
        }
    }
}

/// <summary>A model that cannot be served, with a message for the operator.</summary>
public sealed class ModelLoadException(string message) : Exception(message);

using GitOps.Registry.Records;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace GitOps.Training.Onnx;

/// <summary>
/// Measures an exported model the way it will be served: an ONNX Runtime session on CPU with one intra-op thread,
/// one row per request (every dynamic dimension set to 1), a warm-up, then <c>runs</c> timed inferences. The
/// p50/p99 latencies and the file size become <c>model.*</c> in <c>metrics.json</c>, which quality gates read.
/// The application supplies the native ONNX Runtime (the trainer image carries it).
/// </summary>
public static class LatencyProbe
{
    public const int DefaultRuns = 200;
    private const int WarmupRuns = 20;

    /// <summary>Measures <paramref name="modelPath"/>; returns an error message when the model cannot be run.</summary>
    public static (MeasuredFacts? Facts, string? Error) Measure(string modelPath, int runs, TimeProvider time)
    {
        if (runs < 1)
        {
            return (null, $"the latency probe needs at least one run, found {runs}");
        }
        try
        {
            using var options = new SessionOptions
            {
                IntraOpNumThreads = 1,
                InterOpNumThreads = 1,
                ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
                GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            };
            using var session = new InferenceSession(modelPath, options);
            // Inputs built from managed tensors hold no native memory: nothing to dispose.
            var inputs = session.InputMetadata.Select(kv => Input(kv.Key, kv.Value)).ToList();
            for (var i = 0; i < WarmupRuns; i++)
            {
                using var warm = session.Run(inputs);
            }
            var samples = new double[runs];
            for (var i = 0; i < runs; i++)
            {
                var start = time.GetTimestamp();
                using var results = session.Run(inputs);
                samples[i] = time.GetElapsedTime(start).TotalMilliseconds;
            }
            Array.Sort(samples);
            var bytes = new FileInfo(modelPath).Length;
            return (new MeasuredFacts(bytes, Math.Round(bytes / (1024.0 * 1024.0), 6),
                Math.Round(Percentile(samples, 0.50), 4), Math.Round(Percentile(samples, 0.99), 4), runs), null);
        }
        catch (Exception e) when (e is OnnxRuntimeException or DllNotFoundException or TypeInitializationException or NotSupportedException)
        {
            return (null, $"the latency probe cannot run '{modelPath}' on ONNX Runtime: {e.Message.Split('\n')[0]}");
        }
    }

    /// <summary>Nearest-rank percentile of sorted samples.</summary>
    internal static double Percentile(double[] sorted, double p) =>
        sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];

    private static NamedOnnxValue Input(string name, NodeMetadata metadata)
    {
        var shape = metadata.Dimensions.Select(d => d < 0 ? 1 : d).ToArray();
        var length = shape.Aggregate(1, (a, b) => a * b);
        var type = metadata.ElementDataType;
        return type switch
        {
            TensorElementType.Float => NamedOnnxValue.CreateFromTensor(name, new DenseTensor<float>(Filled(length, i => (float)(i % 7) / 7f), shape)),
            TensorElementType.Double => NamedOnnxValue.CreateFromTensor(name, new DenseTensor<double>(Filled(length, i => i % 7 / 7.0), shape)),
            TensorElementType.Int64 => NamedOnnxValue.CreateFromTensor(name, new DenseTensor<long>(Filled(length, i => (long)(i % 7)), shape)),
            TensorElementType.Int32 => NamedOnnxValue.CreateFromTensor(name, new DenseTensor<int>(Filled(length, i => i % 7), shape)),
            TensorElementType.Bool => NamedOnnxValue.CreateFromTensor(name, new DenseTensor<bool>(Filled(length, i => i % 2 == 0), shape)),
            TensorElementType.UInt8 => NamedOnnxValue.CreateFromTensor(name, new DenseTensor<byte>(Filled(length, i => (byte)(i % 7)), shape)),
            TensorElementType.Int8 => NamedOnnxValue.CreateFromTensor(name, new DenseTensor<sbyte>(Filled(length, i => (sbyte)(i % 7)), shape)),
            _ => throw new NotSupportedException($"input '{name}' has element type {type}, which the probe cannot fill"),
        };
    }

    private static T[] Filled<T>(int length, Func<int, T> value)
    {
        var data = new T[length];
        for (var i = 0; i < length; i++)
        {
            data[i] = value(i);
        }
        return data;
    }
}

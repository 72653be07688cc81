namespace GitOps.Serving.Model;

/// <summary>Which execution provider to use: try CUDA and fall back (<c>auto</c>), or force one.</summary>
public enum DevicePreference
{
    Auto,
    Cpu,
    Cuda,
}

/// <summary>How an ONNX model is loaded.</summary>
public sealed record ModelSessionOptions
{
    public DevicePreference Device { get; init; } = DevicePreference.Auto;
    /// <summary>Threads ONNX Runtime uses inside one inference (intra-op). Concurrent requests run in parallel on top.</summary>
    public int Threads { get; init; } = 1;
    public int CudaDeviceId { get; init; }
}

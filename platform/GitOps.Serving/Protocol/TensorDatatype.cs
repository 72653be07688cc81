using Microsoft.ML.OnnxRuntime.Tensors;

namespace GitOps.Serving.Protocol;

/// <summary>
/// The Open Inference Protocol v2 datatypes the server accepts and returns, and the .NET element type
/// each is held in.
/// </summary>
public sealed record TensorDatatype(string Name, Type ElementType, TensorElementType OnnxType)
{
    public static readonly TensorDatatype Fp32 = new("FP32", typeof(float), TensorElementType.Float);
    public static readonly TensorDatatype Fp64 = new("FP64", typeof(double), TensorElementType.Double);
    public static readonly TensorDatatype Int8 = new("INT8", typeof(sbyte), TensorElementType.Int8);
    public static readonly TensorDatatype Uint8 = new("UINT8", typeof(byte), TensorElementType.UInt8);
    public static readonly TensorDatatype Int32 = new("INT32", typeof(int), TensorElementType.Int32);
    public static readonly TensorDatatype Int64 = new("INT64", typeof(long), TensorElementType.Int64);
    public static readonly TensorDatatype Bool = new("BOOL", typeof(bool), TensorElementType.Bool);

    public static readonly IReadOnlyList<TensorDatatype> All = [Fp32, Fp64, Int8, Uint8, Int32, Int64, Bool];

    public static TensorDatatype? FromName(string name) => All.FirstOrDefault(d => d.Name == name);

    public static TensorDatatype? FromOnnx(TensorElementType type) => All.FirstOrDefault(d => d.OnnxType == type);

    public Array NewArray(int length) => Array.CreateInstance(ElementType, length);

    /// <summary>Bytes per element in the protocol's raw (binary) contents: BOOL is one byte.</summary>
    public int ElementSize => Name switch
    {
        "FP64" or "INT64" => 8,
        "FP32" or "INT32" => 4,
        _ => 1,
    };

    public override string ToString() => Name;
}

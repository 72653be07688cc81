using System.Runtime.InteropServices;

namespace GitOps.Serving.Caching;

/// <summary>The bytes of a tensor's element array (all served datatypes are primitive), little-endian.</summary>
internal static class TensorBytes
{
    public static ReadOnlySpan<byte> Of(Array data)
    {
        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("the response cache needs a little-endian machine");
        }
        return data switch
        {
            float[] a => MemoryMarshal.AsBytes(a.AsSpan()),
            double[] a => MemoryMarshal.AsBytes(a.AsSpan()),
            long[] a => MemoryMarshal.AsBytes(a.AsSpan()),
            int[] a => MemoryMarshal.AsBytes(a.AsSpan()),
            byte[] a => a,
            sbyte[] a => MemoryMarshal.AsBytes(a.AsSpan()),
            bool[] a => MemoryMarshal.AsBytes(a.AsSpan()),
            _ => throw new ArgumentException($"tensors of {data.GetType().GetElementType()?.Name} cannot be cached", nameof(data)),
        };
    }
}

using System.Buffers.Binary;
using System.Collections.Immutable;
using System.Text;
using GitOps.Serving.Protocol;

namespace GitOps.Serving.Caching;

/// <summary>
/// Cached outputs as bytes for a shared store: a format marker, the scope they were computed in (checked on read, so
/// an answer is never used by another version even if a key were reused), then each tensor's name, datatype, shape
/// and element bytes, little-endian.
/// </summary>
public static class CachedOutputsCodec
{
    private static readonly byte[] Marker = "GOC1"u8.ToArray();

    public static byte[] Encode(string scope, ImmutableArray<Tensor> outputs)
    {
        using var buffer = new MemoryStream();
        using var writer = new BinaryWriter(buffer, Encoding.UTF8);
        writer.Write(Marker);
        writer.Write(scope);
        writer.Write(outputs.Length);
        foreach (var output in outputs)
        {
            writer.Write(output.Name);
            writer.Write(output.Datatype.Name);
            writer.Write(output.Shape.Length);
            foreach (var dimension in output.Shape)
            {
                writer.Write(dimension);
            }
            var bytes = TensorBytes.Of(output.Data);
            writer.Write(bytes.Length);
            writer.Write(bytes);
        }
        writer.Flush();
        return buffer.ToArray();
    }

    /// <summary>The outputs, or null when the bytes are not outputs of <paramref name="scope"/> in this format.</summary>
    public static ImmutableArray<Tensor>? Decode(string scope, byte[] bytes)
    {
        try
        {
            using var reader = new BinaryReader(new MemoryStream(bytes, writable: false), Encoding.UTF8);
            if (!reader.ReadBytes(Marker.Length).AsSpan().SequenceEqual(Marker) || reader.ReadString() != scope)
            {
                return null;
            }
            var count = reader.ReadInt32();
            var outputs = ImmutableArray.CreateBuilder<Tensor>(count);
            for (var i = 0; i < count; i++)
            {
                var name = reader.ReadString();
                if (TensorDatatype.FromName(reader.ReadString()) is not { } datatype)
                {
                    return null;
                }
                var shape = ImmutableArray.CreateBuilder<long>();
                var rank = reader.ReadInt32();
                for (var d = 0; d < rank; d++)
                {
                    shape.Add(reader.ReadInt64());
                }
                var length = reader.ReadInt32();
                var elementSize = Buffer.ByteLength(datatype.NewArray(1));
                var data = reader.ReadBytes(length);
                if (data.Length != length || length % elementSize != 0)
                {
                    return null;
                }
                var array = datatype.NewArray(length / elementSize);
                Buffer.BlockCopy(data, 0, array, 0, length);
                outputs.Add(new Tensor(name, datatype, shape.ToImmutable(), array));
            }
            return reader.BaseStream.Position == bytes.Length ? outputs.MoveToImmutable() : null;
        }
        catch (EndOfStreamException)
        {
            return null;
        }
    }
}

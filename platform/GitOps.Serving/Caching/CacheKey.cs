using System.Buffers;
using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using GitOps.Serving.Protocol;

namespace GitOps.Serving.Caching;

/// <summary>
/// A cache key: the served model's scope (name, version and the sha256 of its file, so two versions, or two files
/// served under one version name, never share an answer) and the sha256 of the input tensors in canonical form.
/// </summary>
public readonly record struct CacheKey(string Scope, string InputHash)
{
    public override string ToString() => $"{Scope}:{InputHash}";

    /// <summary>The scope of a served model: <c>gitops:infer:NAME:VERSION:DIGEST</c>.</summary>
    public static string ScopeOf(string model, string version, string modelSha256) => $"gitops:infer:{model}:{version}:{modelSha256}";

    /// <summary>
    /// The key of <paramref name="inputs"/> (validated, in the model's input order). Canonical form, per input: name,
    /// datatype, rank and dimensions, then the elements' bytes little-endian. The same values give the same key however
    /// the request spelled them (JSON numbers, typed or raw gRPC contents).
    /// </summary>
    public static CacheKey Of(string scope, IReadOnlyList<Tensor> inputs)
    {
        // One buffer and one hash call: cheaper than feeding an incremental hash many small pieces.
        var size = 0;
        foreach (var input in inputs)
        {
            size += 16 + Encoding.UTF8.GetMaxByteCount(input.Name.Length) + Encoding.UTF8.GetMaxByteCount(input.Datatype.Name.Length)
                + 8 * (input.Shape.Length + 1) + 8 + Buffer.ByteLength(input.Data);
        }
        var rented = ArrayPool<byte>.Shared.Rent(size);
        try
        {
            var written = 0;
            foreach (var input in inputs)
            {
                written += WriteText(rented.AsSpan(written), input.Name);
                written += WriteText(rented.AsSpan(written), input.Datatype.Name);
                BinaryPrimitives.WriteInt64LittleEndian(rented.AsSpan(written), input.Shape.Length);
                written += 8;
                foreach (var dimension in input.Shape)
                {
                    BinaryPrimitives.WriteInt64LittleEndian(rented.AsSpan(written), dimension);
                    written += 8;
                }
                var data = TensorBytes.Of(input.Data);
                BinaryPrimitives.WriteInt64LittleEndian(rented.AsSpan(written), data.Length);
                written += 8;
                data.CopyTo(rented.AsSpan(written));
                written += data.Length;
            }
            Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
            SHA256.HashData(rented.AsSpan(0, written), hash);
            return new CacheKey(scope, Convert.ToHexStringLower(hash));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    private static int WriteText(Span<byte> destination, string text)
    {
        var length = Encoding.UTF8.GetBytes(text, destination[8..]);
        BinaryPrimitives.WriteInt64LittleEndian(destination, length);
        return 8 + length;
    }
}

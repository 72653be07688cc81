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
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Span<byte> number = stackalloc byte[8];
        foreach (var input in inputs)
        {
            AppendText(hash, input.Name, number);
            AppendText(hash, input.Datatype.Name, number);
            BinaryPrimitives.WriteInt64LittleEndian(number, input.Shape.Length);
            hash.AppendData(number);
            foreach (var dimension in input.Shape)
            {
                BinaryPrimitives.WriteInt64LittleEndian(number, dimension);
                hash.AppendData(number);
            }
            hash.AppendData(TensorBytes.Of(input.Data));
        }
        return new CacheKey(scope, Convert.ToHexStringLower(hash.GetHashAndReset()));
    }

    private static void AppendText(IncrementalHash hash, string text, Span<byte> number)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        BinaryPrimitives.WriteInt64LittleEndian(number, bytes.Length);
        hash.AppendData(number);
        hash.AppendData(bytes);
    }
}

using System.Security.Cryptography;

namespace GitOps.Registry.Stores;

/// <summary>The sha256 and length of a stored key, read in one streaming pass.</summary>
public sealed record StoredDigest(string Sha256, long Bytes);

/// <summary>Whole-key reads every store shares: the bytes of a small file, or the digest of a large one.</summary>
public static class ArtifactStoreReads
{
    /// <summary>The bytes under <paramref name="key"/>, or null when it does not exist. For small files (records, metrics).</summary>
    public static async Task<byte[]?> ReadAllBytesAsync(this IArtifactStore store, string key, CancellationToken ct)
    {
        await using var stream = await store.OpenReadAsync(key, ct);
        if (stream is null)
        {
            return null;
        }
        using var buffer = new MemoryStream();
        await stream.CopyToAsync(buffer, ct);
        return buffer.ToArray();
    }

    /// <summary>The sha256 and length of <paramref name="key"/> without holding it in memory, or null when it does not exist.</summary>
    public static async Task<StoredDigest?> DigestAsync(this IArtifactStore store, string key, CancellationToken ct)
    {
        await using var stream = await store.OpenReadAsync(key, ct);
        if (stream is null)
        {
            return null;
        }
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[1 << 16];
        long total = 0;
        int read;
        while ((read = await stream.ReadAsync(buffer, ct)) > 0)
        {
            hash.AppendData(buffer, 0, read);
            total += read;
        }
        return new StoredDigest(Convert.ToHexStringLower(hash.GetHashAndReset()), total);
    }

    /// <summary>Copies <paramref name="source"/> into the new file <paramref name="destination"/> (it must not
    /// exist), returning the sha256 of what was copied.</summary>
    public static async Task<string> CopyToNewFileAsync(Stream source, string destination, CancellationToken ct)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        await using var output = new FileStream(destination, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true);
        var buffer = new byte[1 << 16];
        int read;
        while ((read = await source.ReadAsync(buffer, ct)) > 0)
        {
            hash.AppendData(buffer, 0, read);
            await output.WriteAsync(buffer.AsMemory(0, read), ct);
        }
        await output.FlushAsync(ct);
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }
}

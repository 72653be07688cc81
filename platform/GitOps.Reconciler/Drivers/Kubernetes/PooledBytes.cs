using System.Buffers;

namespace GitOps.Reconciler.Drivers.Kubernetes;

/// <summary>
/// An answer's body in an array rented from the shared pool, valid until disposed. A list page of a large namespace
/// is one or two MiB: read into a new array each time (and buffered once more by the HTTP client), every page of
/// every pass was a large object that only a full collection takes back, so a shard listing the objects of the
/// other shards held garbage in proportion to the whole namespace. Rented, the same few arrays serve every page.
/// </summary>
public sealed class PooledBytes : IDisposable
{
    /// <summary>The arrays answers are read into. Not the shared pool: that one returns an array to the returning
    /// thread's own slot first, and an answer read on one pool thread and parsed on another (as awaits go) then
    /// rarely found the array again, so a large namespace's pages were still new arrays (measured: 15 new arrays of up
    /// to 2 MiB in one pass). A few arrays per size, shared by every thread; an answer above 16 MiB is not pooled.</summary>
    private static readonly ArrayPool<byte> Pool = ArrayPool<byte>.Create(16 * 1024 * 1024, 4);

    private byte[]? _buffer;
    private readonly int _length;

    private PooledBytes(byte[] buffer, int length) => (_buffer, _length) = (buffer, length);

    public ReadOnlySpan<byte> Span => (_buffer ?? throw new ObjectDisposedException(nameof(PooledBytes))).AsSpan(0, _length);

    /// <summary>Reads <paramref name="content"/> to its end (its length, when the server gave it, sizes the first array).</summary>
    public static async Task<PooledBytes> ReadAsync(HttpContent content, CancellationToken ct)
    {
        var expected = content.Headers.ContentLength is { } length and > 0 and < int.MaxValue ? (int)length : 16 * 1024;
        var buffer = Pool.Rent(expected);
        var filled = 0;
        try
        {
            await using var stream = await content.ReadAsStreamAsync(ct);
            while (true)
            {
                if (filled == buffer.Length)
                {
                    var larger = Pool.Rent(checked(buffer.Length * 2));
                    buffer.AsSpan(0, filled).CopyTo(larger);
                    Pool.Return(buffer);
                    buffer = larger;
                }
                var read = await stream.ReadAsync(buffer.AsMemory(filled), ct);
                if (read == 0)
                {
                    return new PooledBytes(buffer, filled);
                }
                filled += read;
            }
        }
        catch
        {
            Pool.Return(buffer);
            throw;
        }
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _buffer, null) is { } buffer)
        {
            Pool.Return(buffer);
        }
    }
}

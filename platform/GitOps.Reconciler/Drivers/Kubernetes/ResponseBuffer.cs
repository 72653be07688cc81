namespace GitOps.Reconciler.Drivers.Kubernetes;

/// <summary>
/// One array the pages of a listing are read into in turn, grown when a page needs more and let go with the listing.
/// A list page of a large namespace is one or two MiB: read into a new array each time (and buffered once more by the
/// HTTP client), every page was two large objects that only a full collection takes back, so a shard listing the
/// objects of the other shards carried garbage in proportion to the whole namespace. Not a pool kept for the life of
/// the process: one that served every page held about 10 MiB between passes; this holds nothing once the listing is
/// done. Used by one listing at a time.
/// </summary>
public sealed class ResponseBuffer
{
    private byte[] _array = [];

    /// <summary>Reads <paramref name="content"/> to its end (its length, when the server gave it, sizes the array);
    /// the bytes are valid until the next read into this buffer.</summary>
    public async Task<ReadOnlyMemory<byte>> ReadAsync(HttpContent content, CancellationToken ct)
    {
        if (content.Headers.ContentLength is { } length and > 0 and < int.MaxValue && _array.Length < length)
        {
            _array = GC.AllocateUninitializedArray<byte>((int)length);
        }
        else if (_array.Length == 0)
        {
            _array = GC.AllocateUninitializedArray<byte>(64 * 1024);
        }
        var filled = 0;
        await using var stream = await content.ReadAsStreamAsync(ct);
        while (true)
        {
            if (filled == _array.Length)
            {
                var larger = GC.AllocateUninitializedArray<byte>(checked(_array.Length * 2));
                _array.AsSpan(0, filled).CopyTo(larger);
                _array = larger;
            }
            var read = await stream.ReadAsync(_array.AsMemory(filled), ct);
            if (read == 0)
            {
                return _array.AsMemory(0, filled);
            }
            filled += read;
        }
    }
}

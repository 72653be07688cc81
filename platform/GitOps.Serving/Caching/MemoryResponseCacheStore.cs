using System.Collections.Immutable;
using GitOps.Serving.Protocol;

namespace GitOps.Serving.Caching;

/// <summary>
/// Answers kept in the server's memory, least recently used first out once their estimated size passes
/// <c>maxBytes</c>. The cached tensors are shared with the responses that read them and are never written to.
/// </summary>
public sealed class MemoryResponseCacheStore(long maxBytes, TimeSpan? timeToLive, TimeProvider time) : IResponseCacheStore
{
    /// <summary>Bookkeeping per entry and per tensor beyond the element bytes (objects, key, dictionary slot).</summary>
    private const int EntryOverhead = 256;
    private const int TensorOverhead = 96;

    private readonly Lock _gate = new();
    private readonly Dictionary<string, LinkedListNode<Entry>> _entries = new(StringComparer.Ordinal);
    private readonly LinkedList<Entry> _recency = new();
    private long _bytes;

    private sealed record Entry(string Key, ImmutableArray<Tensor> Outputs, long Bytes, DateTimeOffset Expires);

    public long Bytes { get { lock (_gate) { return _bytes; } } }

    public int Count { get { lock (_gate) { return _entries.Count; } } }

    public ValueTask<ImmutableArray<Tensor>?> GetAsync(CacheKey key, CancellationToken ct)
    {
        lock (_gate)
        {
            if (!_entries.TryGetValue(key.ToString(), out var node))
            {
                return ValueTask.FromResult<ImmutableArray<Tensor>?>(null);
            }
            if (node.Value.Expires <= time.GetUtcNow())
            {
                Remove(node);
                return ValueTask.FromResult<ImmutableArray<Tensor>?>(null);
            }
            _recency.Remove(node);
            _recency.AddFirst(node);
            return ValueTask.FromResult<ImmutableArray<Tensor>?>(node.Value.Outputs);
        }
    }

    public void Set(CacheKey key, ImmutableArray<Tensor> outputs)
    {
        var text = key.ToString();
        var size = EntryOverhead + (text.Length * 2) + outputs.Sum(o => TensorOverhead + (o.Name.Length * 2) + Buffer.ByteLength(o.Data));
        if (size > maxBytes)
        {
            return;
        }
        var expires = timeToLive is { } ttl ? time.GetUtcNow() + ttl : DateTimeOffset.MaxValue;
        lock (_gate)
        {
            if (_entries.TryGetValue(text, out var existing))
            {
                Remove(existing);
            }
            var node = _recency.AddFirst(new Entry(text, outputs, size, expires));
            _entries[text] = node;
            _bytes += size;
            while (_bytes > maxBytes && _recency.Last is { } oldest)
            {
                Remove(oldest);
            }
        }
    }

    private void Remove(LinkedListNode<Entry> node)
    {
        _recency.Remove(node);
        _entries.Remove(node.Value.Key);
        _bytes -= node.Value.Bytes;
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}

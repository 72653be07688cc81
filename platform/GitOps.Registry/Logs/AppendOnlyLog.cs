using System.Collections.Immutable;
using System.Globalization;
using GitOps.Registry.Records;
using GitOps.Registry.Stores;

namespace GitOps.Registry.Logs;

/// <summary>
/// An append-only log on a store that only offers create-only writes: entry <c>n</c> is the key
/// <c>PREFIX/nnnnnnnn.json</c>. Appending creates the first free number; a writer that loses the race for a number
/// takes the next one, so entries are never lost or overwritten and need no listing (plain HTTP stores have none).
/// Entries only ever follow existing ones, so the numbers have no gaps.
/// </summary>
public sealed class AppendOnlyLog(IArtifactStore store, string prefix)
{
    private const int Digits = 8;

    public string Key(int sequence) => $"{prefix}/{sequence.ToString(new string('0', Digits), CultureInfo.InvariantCulture)}.json";

    /// <summary>Appends <paramref name="entry"/> and returns its sequence number (from 1).</summary>
    public async Task<int> AppendAsync(byte[] entry, CancellationToken ct)
    {
        var sequence = await CountAsync(ct) + 1;
        while (await store.CreateAsync(Key(sequence), new MemoryStream(entry, writable: false), "application/json", ct) == CreateResult.AlreadyExists)
        {
            sequence++;
        }
        return sequence;
    }

    /// <summary>How many entries there are: an exponential then binary search over existing numbers (O(log n) checks).</summary>
    public async Task<int> CountAsync(CancellationToken ct)
    {
        if (!await store.ExistsAsync(Key(1), ct))
        {
            return 0;
        }
        int low = 1, high = 2;
        while (await store.ExistsAsync(Key(high), ct))
        {
            low = high;
            high *= 2;
        }
        // Invariant: low exists, high does not.
        while (high - low > 1)
        {
            var middle = low + (high - low) / 2;
            if (await store.ExistsAsync(Key(middle), ct))
            {
                low = middle;
            }
            else
            {
                high = middle;
            }
        }
        return low;
    }

    /// <summary>Every entry in order, read as registry records; a damaged entry is a <see cref="RegistryDataException"/>
    /// naming its file and <paramref name="what"/> an entry is, in a person's words (e.g. <c>model index entry</c>).</summary>
    public async Task<ImmutableArray<T>> ReadRecordsAsync<T>(string what, CancellationToken ct)
    {
        var entries = await ReadAllAsync(ct);
        return [.. entries.Select((entry, i) => RegistryJson.Read<T>(entry, store.Describe(Key(i + 1)), what))];
    }

    /// <summary>Every entry in order.</summary>
    public async Task<ImmutableArray<byte[]>> ReadAllAsync(CancellationToken ct)
    {
        var entries = ImmutableArray.CreateBuilder<byte[]>();
        for (var sequence = 1; ; sequence++)
        {
            await using var stream = await store.OpenReadAsync(Key(sequence), ct);
            if (stream is null)
            {
                return entries.ToImmutable();
            }
            using var buffer = new MemoryStream();
            await stream.CopyToAsync(buffer, ct);
            entries.Add(buffer.ToArray());
        }
    }
}

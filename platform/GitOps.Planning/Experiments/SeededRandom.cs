namespace GitOps.Planning.Experiments;

/// <summary>
/// SplitMix64: a tiny generator whose sequence is fixed by its seed on every platform and .NET version, so a random
/// search plans the same trials wherever it is planned (<see cref="System.Random"/> promises no such thing).
/// </summary>
public sealed class SeededRandom(ulong seed)
{
    private ulong _state = seed;

    public ulong NextUInt64()
    {
        var z = _state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>A number in [0, 1) with 53 random bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>A whole number in [0, <paramref name="count"/>).</summary>
    public int Next(int count) => (int)(NextUInt64() % (ulong)count);
}

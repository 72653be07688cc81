using System.Globalization;
using System.Text;
using GitOps.Specs;
using GitOps.Specs.Model;

namespace GitOps.Planning.Cluster;

/// <summary>
/// The part of every environment one reconciler converges when several share the work (<c>gitops reconcile --shard
/// 2/3</c>): the models whose name hashes to <see cref="Number"/>, and, for shard 1, the objects that span the
/// environment (the default-deny network policy, the platform's alert rules and dashboard). Each model belongs to
/// exactly one shard for a given <see cref="Count"/>, whatever the process or the machine: the hash is FNV-1a of the
/// name's UTF-8 bytes, not the runtime's randomised string hash. Pure.
/// </summary>
public sealed record Shard
{
    /// <summary>One reconciler converges everything (the default).</summary>
    public static readonly Shard Whole = new(1, 1);

    /// <summary>More would leave most shards a handful of models each.</summary>
    public const int MaxCount = 64;

    /// <param name="number">This shard, from 1 to <paramref name="count"/>.</param>
    /// <param name="count">How many shards share the environments.</param>
    public Shard(int number, int count)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, MaxCount);
        ArgumentOutOfRangeException.ThrowIfLessThan(number, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(number, count);
        (Number, Count) = (number, count);
    }

    public int Number { get; }

    public int Count { get; }

    public bool IsWhole => Count == 1;

    /// <summary>Shard 1 also converges the objects that belong to no model.</summary>
    public bool OwnsEnvironmentWide => Number == 1;

    /// <summary>What the names of the reconciler's own objects (status ConfigMap, Lease) end with: empty for
    /// <see cref="Whole"/>, so a reconciler that is not sharded keeps the names it always had.</summary>
    public string NameSuffix => IsWhole ? "" : $"-shard-{LabelValue}";

    /// <summary>The shard as a label value, which cannot hold a slash: <c>2-of-3</c>.</summary>
    public string LabelValue => $"{Number}-of-{Count}";

    /// <summary>The shard, 1 to <see cref="Count"/>, that converges <paramref name="model"/>.</summary>
    public int Of(string model) => IsWhole ? 1 : (int)(Fnv1a(model) % (uint)Count) + 1;

    public bool OwnsModel(string model) => Of(model) == Number;

    /// <summary>Whether an object labelled with <paramref name="model"/> (null: no model label, it spans the
    /// environment) is this shard's to apply, watch and prune.</summary>
    public bool OwnsObject(string? model) => model is null ? OwnsEnvironmentWide : OwnsModel(model);

    /// <summary>How this shard validates a commit: a part at a time, keeping only its own models' specs
    /// (<see cref="Specs.ValidationChunks"/>); null for <see cref="Whole"/>, which keeps every spec.</summary>
    public ValidationChunks? ValidationChunks => IsWhole ? null : new ValidationChunks(OwnsModel);

    /// <summary><paramref name="specs"/> narrowed to this shard's models and the experiments on them; environments,
    /// gates, rollout policies and org policies are kept whole (every shard needs them).</summary>
    public SpecSet Select(SpecSet specs) => IsWhole
        ? specs
        : specs with
        {
            Models = [.. specs.Models.Where(m => OwnsModel(m.Name))],
            Experiments = [.. specs.Experiments.Where(e => OwnsModel(e.Spec.Model))],
        };

    /// <summary>Reads <c>K/N</c> (e.g. <c>2/3</c>); null with the reason when <paramref name="text"/> is not one.</summary>
    public static Shard? Parse(string text, out string? problem)
    {
        var parts = text.Trim().Split('/');
        if (parts.Length != 2
            || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var number)
            || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var count))
        {
            problem = $"'{text}' is not K/N; use e.g. 1/3 for the first of three shards";
            return null;
        }
        if (count is < 1 or > MaxCount)
        {
            problem = $"'{text}' asks for {count} shards; use from 1 to {MaxCount}";
            return null;
        }
        if (number < 1 || number > count)
        {
            problem = $"'{text}' names shard {number} of {count}; shards are numbered from 1 to {count}";
            return null;
        }
        problem = null;
        return new Shard(number, count);
    }

    public override string ToString() => $"{Number}/{Count}";

    /// <summary>FNV-1a of the UTF-8 bytes of <paramref name="text"/>; a model name (at most 63 characters) is encoded
    /// on the stack, since the driver asks for every object it reads.</summary>
    private static uint Fnv1a(string text)
    {
        var length = Encoding.UTF8.GetMaxByteCount(text.Length);
        var bytes = length <= 256 ? stackalloc byte[256] : new byte[length];
        var hash = 2166136261u;
        foreach (var b in bytes[..Encoding.UTF8.GetBytes(text, bytes)])
        {
            hash = (hash ^ b) * 16777619u;
        }
        return hash;
    }
}

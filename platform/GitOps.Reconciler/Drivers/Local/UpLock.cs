using System.Text.Json.Nodes;

namespace GitOps.Reconciler.Drivers.Local;

/// <summary>
/// One <c>gitops up</c> per state folder: an exclusive lock on <c>up.lock</c> (released by the kernel however the
/// process ends, even by <c>kill -9</c>) and <c>up.json</c> saying who holds it and where it serves.
/// </summary>
public sealed class UpLock : IDisposable
{
    private readonly FileStream _lock;
    private readonly StateFolder _state;

    private UpLock(FileStream fileLock, StateFolder state)
    {
        _lock = fileLock;
        _state = state;
    }

    /// <summary>The lock, or null with the pid of the <c>gitops up</c> holding it (null when unknown).</summary>
    public static UpLock? TryAcquire(StateFolder state, out int? holder)
    {
        holder = null;
        try
        {
            var stream = new FileStream(state.LockFile, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            return new UpLock(stream, state);
        }
        catch (IOException)
        {
            holder = Owner(state)?["pid"] is JsonValue v && v.TryGetValue<int>(out var pid) ? pid : null;
            return null;
        }
    }

    /// <summary>What the holder wrote about itself: pid, start time, proxy and Prometheus addresses, repository, environment.</summary>
    public static JsonObject? Owner(StateFolder state) => StateFolder.ReadJson(state.OwnerFile);

    /// <summary>True while some process holds the lock.</summary>
    public static bool IsHeld(StateFolder state)
    {
        if (!File.Exists(state.LockFile))
        {
            return false;
        }
        using var probe = TryAcquire(state, out _);
        return probe is null;
    }

    public void Describe(JsonObject owner) => StateFolder.WriteJson(_state.OwnerFile, owner);

    public void Dispose() => _lock.Dispose();
}

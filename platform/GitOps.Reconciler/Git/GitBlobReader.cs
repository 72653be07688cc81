using LibGit2Sharp;

namespace GitOps.Reconciler.Git;

/// <summary>
/// Reads the files of the commits a <see cref="GitSource"/> returned from its cached clone when they are asked for, so
/// that a checkout (and the last good one kept between passes) holds its files' names and object ids, not their bytes:
/// a reconciler shard then reads each part of a large commit as it validates it and lets it go. One repository handle,
/// opened at the first read and used by one reader at a time; closed when the cache is deleted.
/// </summary>
internal sealed class GitBlobReader(string cacheDirectory)
{
    private readonly Lock _lock = new();
    private Repository? _repository;

    /// <summary>The content of blob <paramref name="id"/>, file <paramref name="path"/> of commit <paramref name="commit"/>.</summary>
    public byte[] Read(string commit, string path, ObjectId id)
    {
        lock (_lock)
        {
            try
            {
                _repository ??= new Repository(cacheDirectory);
                var blob = _repository.Lookup<Blob>(id)
                    ?? throw new GitReadException(Problem(commit, path, $"its object {id.ToString(12)} is not in the cache"));
                using var stream = blob.GetContentStream();
                using var buffer = new MemoryStream(checked((int)blob.Size));
                stream.CopyTo(buffer);
                return buffer.Length == buffer.Capacity ? buffer.GetBuffer() : buffer.ToArray();
            }
            catch (Exception e) when (e is LibGit2SharpException or IOException)
            {
                Close();
                throw new GitReadException(Problem(commit, path, e.Message), e);
            }
        }
    }

    /// <summary>Lets go of the repository handle (the cache is about to be deleted); the next read opens it again.</summary>
    public void Close()
    {
        lock (_lock)
        {
            _repository?.Dispose();
            _repository = null;
        }
    }

    private string Problem(string commit, string path, string why) =>
        $"cannot read {path} of commit {commit[..Math.Min(12, commit.Length)]} from the Git cache {cacheDirectory}: {why}; "
        + "the next pass fetches the branch again";
}

/// <summary>A file of a fetched commit could not be read from the Git cache (deleted or damaged under the reconciler).</summary>
public sealed class GitReadException(string message, Exception? inner = null) : Exception(message, inner);

using System.Security.Cryptography;
using System.Text;
using GitOps.Reconciler.Git;

namespace GitOps.Reconciler.Tests.Support;

/// <summary>
/// A Git source whose branch moves when the test commits: each commit is a full set of files with a content-derived
/// id. Fetches can be made to fail (the remote is unreachable).
/// </summary>
public sealed class ScriptedGitSource : IGitSource
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, GitCheckout> _commits = new(StringComparer.Ordinal);
    private string? _head;
    private int _failFetches;

    public int Fetches { get; private set; }

    public string Head => _head ?? throw new InvalidOperationException("nothing committed yet");

    public string Commit(IReadOnlyDictionary<string, string> files)
    {
        lock (_gate)
        {
            var text = new StringBuilder(_head ?? "");
            foreach (var (path, content) in files.OrderBy(f => f.Key, StringComparer.Ordinal))
            {
                text.Append('\0').Append(path).Append('\0').Append(content);
            }
            var id = Convert.ToHexStringLower(SHA1.HashData(Encoding.UTF8.GetBytes(text.ToString())));
            _commits[id] = new GitCheckout(id, "main", DateTimeOffset.UnixEpoch, "commit",
                [.. files.OrderBy(f => f.Key, StringComparer.Ordinal).Select(f => new GitFile(f.Key, Encoding.UTF8.GetBytes(f.Value)))]);
            _head = id;
            return id;
        }
    }

    public void FailNextFetches(int count)
    {
        lock (_gate)
        {
            _failFetches = count;
        }
    }

    public Task<GitFetchResult> FetchAsync(CancellationToken ct)
    {
        lock (_gate)
        {
            Fetches++;
            if (_failFetches > 0)
            {
                _failFetches--;
                return Task.FromResult(GitFetchResult.Failure("could not read from remote repository: connection refused", _commits[Head]));
            }
            return Task.FromResult(GitFetchResult.Success(_commits[Head]));
        }
    }
}

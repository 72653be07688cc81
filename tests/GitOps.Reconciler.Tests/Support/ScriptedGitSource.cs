using System.Security.Cryptography;
using System.Text;
using GitOps.Reconciler.Git;
using GitOps.Specs;

namespace GitOps.Reconciler.Tests.Support;

/// <summary>
/// A Git source whose branch moves when the test commits: each commit is a full set of files with a content-derived
/// id. Fetches can be made to fail. Counts reads, so tests can check that an unchanged commit is not read again.
/// </summary>
public sealed class ScriptedGitSource : IGitSource
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, IReadOnlyList<SourceFile>> _commits = new(StringComparer.Ordinal);
    private string? _head;
    private int _failFetches;

    public int Reads { get; private set; }

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
            _commits[id] = [.. files.Select(f => SourceFile.FromText(f.Key, f.Value))];
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

    public Task<string> FetchAsync(CancellationToken ct)
    {
        lock (_gate)
        {
            Fetches++;
            if (_failFetches > 0)
            {
                _failFetches--;
                throw new IOException("could not read from remote repository: connection refused");
            }
            return Task.FromResult(Head);
        }
    }

    public Task<IReadOnlyList<SourceFile>> ReadFilesAsync(string commit, CancellationToken ct)
    {
        lock (_gate)
        {
            Reads++;
            return Task.FromResult(_commits[commit]);
        }
    }
}

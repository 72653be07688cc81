using System.Text;
using GitOps.Registry.Publishing;
using GitOps.Registry.Stores;
using GitOps.Testing.Artifacts;

namespace GitOps.Registry.Tests.Publishing;

public sealed class VersionPublicationTests
{
    public sealed class ThePublishAsyncMethod(StoreKinds stores) : IDisposable, IClassFixture<StoreKinds>
    {
        private readonly string _outputs = Directory.CreateTempSubdirectory("gitops-publication-").FullName;

        /// <summary>This case's version folder in the shared stores.</summary>
        private readonly string _folder = $"t-{Guid.NewGuid():N}/fraud/abc";

        public void Dispose() => Directory.Delete(_outputs, recursive: true);

        private IArtifactStore Open(string kind) => stores.Open(kind, _folder);

        private string Output(string name, string model, string metrics)
        {
            var dir = Path.Combine(_outputs, name);
            Directory.CreateDirectory(dir);
            File.WriteAllText(Path.Combine(dir, "model.onnx"), model);
            File.WriteAllText(Path.Combine(dir, "metrics.json"), metrics);
            return dir;
        }

        [Theory]
        [MemberData(nameof(StoreKinds.All), MemberType = typeof(StoreKinds))]
        public async Task Should_Adopt_The_Winners_Files_When_Another_Attempt_Commits_First(string kind)
        {
            // Given two attempts of the same version whose outputs differ (measured latency differs between runs),
            // the second committing between the first's staging and its commit
            var inner = Open(kind);
            var winner = Output("winner", "winner onnx", "{\"auc\":0.91}");
            var loser = Output("loser", "loser onnx", "{\"auc\":0.92}");
            var racing = new CommitRace(inner, () => new VersionPublication(inner).PublishAsync(winner, ["model.onnx", "metrics.json"], CancellationToken.None));

            // When
            var outcome = await new VersionPublication(racing).PublishAsync(loser, ["model.onnx", "metrics.json"], CancellationToken.None);

            // Then the loser succeeds with the winner's version; nothing of the loser's is under the canonical names
            Assert.True(outcome.Succeeded, outcome.Conflict);
            Assert.Equal(PublishKind.PublishedByAnother, outcome.Kind);
            Assert.Equal("winner onnx", await TextAsync(inner, "model.onnx"));
            Assert.Equal("{\"auc\":0.91}", await TextAsync(inner, "metrics.json"));
            Assert.Equal(outcome.Manifest!.Attempt, (await new VersionPublication(inner).FindAsync(CancellationToken.None))!.Manifest!.Attempt);
        }

        [Theory]
        [MemberData(nameof(StoreKinds.All), MemberType = typeof(StoreKinds))]
        public async Task Should_Refuse_Other_Bytes_When_The_Version_Is_Already_Published(string kind)
        {
            // Given
            var store = Open(kind);
            await new VersionPublication(store).PublishAsync(Output("first", "first onnx", "{}"), ["model.onnx", "metrics.json"], CancellationToken.None);

            // When
            var second = await new VersionPublication(store).PublishAsync(Output("second", "second onnx", "{}"), ["model.onnx", "metrics.json"],
                CancellationToken.None);

            // Then
            Assert.False(second.Succeeded);
            Assert.Contains("write-once", second.Conflict);
            Assert.Equal("first onnx", await TextAsync(store, "model.onnx"));
        }

        [Theory]
        [MemberData(nameof(StoreKinds.All), MemberType = typeof(StoreKinds))]
        public async Task Should_Say_What_To_Do_When_An_Uncommitted_Canonical_File_Blocks_The_Version(string kind)
        {
            // Given a metrics.json published the old way by an attempt that died before model.onnx
            var store = Open(kind);
            await store.CreateAsync("metrics.json", new MemoryStream("{\"auc\":0.5}"u8.ToArray()), "application/json", CancellationToken.None);

            // When
            var outcome = await new VersionPublication(store).PublishAsync(Output("retry", "onnx", "{\"auc\":0.9}"), ["model.onnx", "metrics.json"],
                CancellationToken.None);

            // Then it is not overwritten, and the message names the file and what to do
            Assert.False(outcome.Succeeded);
            Assert.Contains("metrics.json", outcome.Conflict);
            Assert.Contains("delete the files", outcome.Conflict);
            Assert.Equal("{\"auc\":0.5}", await TextAsync(store, "metrics.json"));
        }

        [Theory]
        [MemberData(nameof(StoreKinds.Racing), MemberType = typeof(StoreKinds))]
        public async Task Should_Let_Exactly_One_Publisher_Commit_When_Attempts_Of_A_Version_Race(string kind)
        {
            // Given six attempts of the same version, each with its own store client and its own output
            var attempts = Enumerable.Range(1, 6)
                .Select(i => (Store: Open(kind), Output: Output($"attempt-{i}", $"onnx of attempt {i}", $"{{\"auc\":0.9{i}}}")))
                .ToList();

            // When they publish at once
            var outcomes = await Task.WhenAll(attempts.Select(a =>
                Task.Run(() => new VersionPublication(a.Store).PublishAsync(a.Output, ["model.onnx", "metrics.json"], CancellationToken.None))));

            // Then one committed; every other either adopted its files (it raced the commit) or, arriving after it with
            // other bytes, was refused; the version holds exactly the winner's bytes, model and metrics alike
            var winner = Assert.Single(outcomes, o => o is { Succeeded: true, Kind: PublishKind.Published });
            Assert.All(outcomes.Where(o => o != winner), o =>
            {
                if (o.Succeeded)
                {
                    Assert.Equal((PublishKind.PublishedByAnother, winner.Manifest!.Attempt), (o.Kind, o.Manifest!.Attempt));
                }
                else
                {
                    Assert.Contains("write-once", o.Conflict);
                }
            });
            var store = Open(kind);
            var model = await TextAsync(store, "model.onnx");
            var number = model["onnx of attempt ".Length..];
            Assert.Equal($"{{\"auc\":0.9{number}}}", await TextAsync(store, "metrics.json"));
            var found = await new VersionPublication(store).FindAsync(CancellationToken.None);
            Assert.Equal((PublishKind.AlreadyPublished, winner.Manifest!.Attempt), (found!.Kind, found.Manifest!.Attempt));
        }

        private static async Task<string> TextAsync(IArtifactStore store, string key) =>
            Encoding.UTF8.GetString((await store.ReadAllBytesAsync(key, CancellationToken.None))!);
    }

    /// <summary>A store that lets another attempt publish just before the first create of <c>publish.json</c>.</summary>
    private sealed class CommitRace(IArtifactStore inner, Func<Task<PublishOutcome>> competitor) : IArtifactStore
    {
        private bool _raced;

        public string Root => inner.Root;

        public string Describe(string key) => inner.Describe(key);

        public Task<Stream?> OpenReadAsync(string key, CancellationToken ct) => inner.OpenReadAsync(key, ct);

        public Task<bool> ExistsAsync(string key, CancellationToken ct) => inner.ExistsAsync(key, ct);

        public async Task<CreateResult> CreateAsync(string key, Stream content, string contentType, CancellationToken ct)
        {
            if (key == VersionPublication.ManifestKey && !_raced)
            {
                _raced = true;
                Assert.True((await competitor()).Succeeded);
            }
            return await inner.CreateAsync(key, content, contentType, ct);
        }
    }
}

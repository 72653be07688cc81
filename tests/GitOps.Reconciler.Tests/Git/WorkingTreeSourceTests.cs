using GitOps.Reconciler.Git;
using GitOps.Testing.Git;
using GitOps.Testing.Time;

namespace GitOps.Reconciler.Tests.Git;

public sealed class WorkingTreeSourceTests
{
    public sealed class TheFetchAsyncMethod : IDisposable
    {
        private const string ModelPath = "models/fraud/model.yaml";
        private const string Model = "apiVersion: ml.gitops/v1alpha1\nkind: Model\nmetadata:\n  name: fraud\n";
        private readonly FakeGitRepo _repo = FakeGitRepo.Create();

        public void Dispose() => _repo.Dispose();

        private string Text(GitFetchResult result) => result.Checkout!.Files.Single(f => f.Path == ModelPath).Text;

        [Fact]
        public async Task Should_Take_The_Tree_Once_It_Settles_When_A_File_Is_Read_While_It_Is_Rewritten()
        {
            // Given a tree read once, then its model file emptied by an editor that writes in place
            _repo.Commit("model", new Dictionary<string, string?> { [ModelPath] = Model });
            var time = new ObservableTimeProvider();
            var source = new WorkingTreeSource(_repo.Path, timeProvider: time);
            Assert.Equal(Model, Text(await source.FetchAsync(CancellationToken.None)));
            var path = Path.Combine(_repo.Path, ModelPath);
            await File.WriteAllTextAsync(path, "");

            // When a fetch reads the emptied file, and the editor finishes writing before the fetch settles
            var fetching = source.FetchAsync(CancellationToken.None);
            await Eventually.TrueAsync(() => time.PendingTimerCount == 1);
            await File.WriteAllTextAsync(path, Model + "  labels: {team: payments}\n");
            time.Advance(WorkingTreeSource.Settle);
            await Eventually.TrueAsync(() => time.PendingTimerCount == 1 || fetching.IsCompleted);
            var waitedForTheSecondRead = !fetching.IsCompleted;
            time.Advance(WorkingTreeSource.Settle);
            var result = await fetching;

            // Then the half-written tree is never the desired state: the fetch returns the finished file, once two
            // reads of it agree
            Assert.True(result.Succeeded, result.Error);
            Assert.Equal(Model + "  labels: {team: payments}\n", Text(result));
            Assert.True(waitedForTheSecondRead);
        }

        [Fact]
        public async Task Should_Take_A_Changed_Tree_Once_Two_Reads_Agree()
        {
            // Given a tree read once, then a file changed and left alone
            _repo.Commit("model", new Dictionary<string, string?> { [ModelPath] = Model });
            var time = new ObservableTimeProvider();
            var source = new WorkingTreeSource(_repo.Path, timeProvider: time);
            await source.FetchAsync(CancellationToken.None);
            await File.WriteAllTextAsync(Path.Combine(_repo.Path, ModelPath), Model + "  labels: {team: risk}\n");

            // When
            var fetching = source.FetchAsync(CancellationToken.None);
            await Eventually.TrueAsync(() => time.PendingTimerCount == 1);
            var waitedToSettle = !fetching.IsCompleted;
            time.Advance(WorkingTreeSource.Settle);
            var result = await fetching;

            // Then
            Assert.True(waitedToSettle);
            Assert.Equal(Model + "  labels: {team: risk}\n", Text(result));
        }

        [Fact]
        public async Task Should_Return_An_Unchanged_Tree_Without_Waiting_For_It_To_Settle()
        {
            // Given
            _repo.Commit("model", new Dictionary<string, string?> { [ModelPath] = Model });
            var source = new WorkingTreeSource(_repo.Path);
            var first = await source.FetchAsync(CancellationToken.None);

            // When
            var second = source.FetchAsync(CancellationToken.None);

            // Then it completes at once with the same revision
            Assert.True(second.IsCompleted);
            Assert.Equal(first.Checkout!.Revision, (await second).Checkout!.Revision);
        }
    }
}

using GitOps.Reconciler.Tests.Support;
namespace GitOps.Reconciler.Tests.Loop;
public sealed class DebugTests
{
    [Fact]
    public async Task Debug()
    {
        await using var rig = await ReconcilerRig.StartAsync();
        rig.Git.Commit(SpecRepository.Files(SpecRepository.Environment(), ("fraud", 2)));
        await rig.RunAsync();
        var outcome = await rig.RunAsync();
        var o = rig.Managed().Select(x => x.ToJsonString());
        Assert.Fail(outcome.ToString() + "\n" + string.Join("\n", rig.Logs.Lines) + "\n" + string.Join("\n", o) + string.Join("\n", rig.Cluster.Server.Requests.Select(r => $"{r.Verb} {r.Method} {r.Path}")));
    }
}

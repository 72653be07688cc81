using System.CommandLine;
using GitOps.Cli.Conventions;
using GitOps.Cli.Output;
using GitOps.Reconciler.Drivers.Local;
using GitOps.Specs.Contracts;

namespace GitOps.Cli.Commands;

/// <summary>
/// <c>gitops down</c>: stops the <c>gitops up</c> of a state folder and every process it started (also those left
/// by one that was killed); <c>--purge</c> then deletes the state folder.
/// </summary>
public static class DownCommand
{
    public static Command Create()
    {
        var env = new Option<string?>("--env") { Description = "Local environment (default: the only one with cluster: {local: {}})" };
        var state = new Option<string?>("--state") { Description = "State folder (default: as gitops up chooses it)" };
        var purge = new Option<bool>("--purge") { Description = "Also delete the state folder: objects, status, logs, trained artifacts, Prometheus data" };
        var command = new Command("down", "Stop everything gitops up started for a state folder") { env, state, purge };
        var repository = RepositoryPath.AddTo(command);
        env.CompleteEnvironments(repository);
        command.WithExamples(
            ("gitops down", "stop the repository's local environment"),
            ("gitops down --state /tmp/gitops-state --purge", "stop it and delete its state folder"));
        command.SetAction(async (ParseResult parse, CancellationToken ct) =>
        {
            var stdout = parse.Out();
            var folder = parse.GetValue(state) is { } explicitState
                ? StateFolder.For(explicitState)
                : LocalEnvironment.Resolve(repository.Resolve(parse), parse.GetValue(env), null, mustBeLocal: true).State;
            if (!Directory.Exists(folder.Root))
            {
                await stdout.WriteLineAsync($"Nothing to stop: {folder.Root} does not exist.");
                return (int)ExitCode.Success;
            }
            var stopped = await StopAsync(folder, stdout, ct);
            await stdout.WriteLineAsync(stopped == 0 ? $"Nothing was running for {folder.Root}." : $"Stopped {stopped} process(es) of {folder.Root}.");
            if (parse.GetValue(purge))
            {
                try
                {
                    Directory.Delete(folder.Root, recursive: true);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    throw new UserError($"cannot delete {folder.Root}: {e.Message.TrimEnd('.')}. Delete it by hand.");
                }
                await stdout.WriteLineAsync($"Deleted {folder.Root}.");
            }
            return (int)ExitCode.Success;
        });
        return command;
    }

    /// <summary>Stops the <c>gitops up</c> holding the folder (it drains what it runs), then whatever is still recorded.</summary>
    public static async Task<int> StopAsync(StateFolder state, TextWriter stdout, CancellationToken ct)
    {
        var stopped = 0;
        if (UpLock.IsHeld(state) && UpLock.Owner(state) is { } owner
            && owner["pid"]?.GetValue<int>() is { } pid && owner["startTime"]?.GetValue<long>() is { } start)
        {
            await stdout.WriteLineAsync($"Stopping gitops up (pid {pid})…");
            OsProcesses.Terminate(pid, start);
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
            while (UpLock.IsHeld(state) && DateTime.UtcNow < deadline)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(100), ct);
            }
            OsProcesses.ForceKill(pid, start);
            stopped++;
        }
        var processes = new ProcessTable(state);
        foreach (var record in processes.All)
        {
            if (record.IsAlive)
            {
                await stdout.WriteLineAsync($"Stopping {record.Role.ToString().ToLowerInvariant()} process {record.Pid} ({record.Owner})…");
                await OsProcesses.StopAsync(record.Pid, record.StartTime, ServingSupervisor.DrainGrace, TimeProvider.System, ct);
                stopped++;
            }
            processes.Remove(record.Id);
        }
        return stopped;
    }
}

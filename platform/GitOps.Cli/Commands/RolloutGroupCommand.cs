using System.CommandLine;
using GitOps.Cli.Conventions;
using GitOps.Cli.Output;
using GitOps.Cli.Rollouts;
using GitOps.Reconciler.Rollouts;
using GitOps.Rollouts.Rollout;
using GitOps.Specs.Contracts;

namespace GitOps.Cli.Commands;

/// <summary>
/// <c>gitops rollout status|promote|abort|retry</c>: read a model's rollout, or hand the reconciler an operator's
/// command (recorded with who and when) through the rollout state store of a Kubernetes or local environment.
/// </summary>
public static class RolloutGroupCommand
{
    public static Command Create()
    {
        var command = new Command("rollout", "Show and steer progressive delivery: status, promote, abort, retry");
        command.Subcommands.Add(Status());
        command.Subcommands.Add(Action("promote", "Continue a paused rollout, or skip its current step (--full: every remaining step)", RolloutCommandKind.Promote));
        command.Subcommands.Add(Action("abort", "Roll back now: all traffic to the stable version, the new version rejected", RolloutCommandKind.Abort));
        command.Subcommands.Add(Action("retry", "Start a rolled-back version's rollout again from the first step", RolloutCommandKind.Retry));
        return command;
    }

    private sealed record Common(Option<string?> Env, Option<string?> State, Option<string?> Kubeconfig, RepositoryPath Repository)
    {
        public static Common AddTo(Command command)
        {
            var env = new Option<string?>("--env") { Description = "Environment (default: the only local one)" };
            var state = new Option<string?>("--state") { Description = "State folder of a local environment (default: as gitops up chooses it)" };
            var kubeconfig = new Option<string?>("--kubeconfig") { Description = "Kubernetes environment: kubeconfig file (default: $KUBECONFIG or ~/.kube/config); the context is the environment's" };
            command.Options.Add(env);
            command.Options.Add(state);
            command.Options.Add(kubeconfig);
            var repository = RepositoryPath.AddTo(command);
            env.CompleteEnvironments(repository);
            return new Common(env, state, kubeconfig, repository);
        }

        public RolloutTarget Open(ParseResult parse) =>
            RolloutTarget.Open(Repository.Resolve(parse), parse.GetValue(Env), parse.GetValue(State), parse.GetValue(Kubeconfig));
    }

    private static Command Status()
    {
        var model = new Option<string?>("--model") { Description = "Only this model (default: every rollout of the environment)" };
        var output = OutputOption.Create("text (a tree) or json (with the whole state and a measurements file per rollout)", "text", "json");
        var watch = new Option<bool>("--watch", "-w") { Description = "Print again whenever the rollout changes, until interrupted" };
        var interval = DurationOption.Create("--interval", "How often --watch reads the rollout", "2s", minimum: TimeSpan.FromMilliseconds(10));
        var command = new Command("status", "Show rollouts as a tree: steps, current weight, each analysis run with its measurements and verdict")
        {
            model, output, watch, interval,
        };
        var common = Common.AddTo(command);
        model.CompleteModels(common.Repository);
        command.WithExamples(
            ("gitops rollout status", "every rollout of the local environment"),
            ("gitops rollout status --env prod --model fraud-detector --watch", "follow one rollout in a cluster"),
            ("gitops rollout status --env prod --model fraud-detector -o json > status.json", "the state and its measurements, for gitops analyze --measurements"));
        command.SetAction(async (ParseResult parse, CancellationToken ct) =>
        {
            using var target = common.Open(parse);
            var stdout = parse.Out();
            var terminal = CliEnvironment.Current.OutputIsTerminal;
            string? previous = null;
            try
            {
                while (true)
                {
                    var text = await RenderAsync(target, parse.GetValue(model), parse.GetValue(output) == "json", ct);
                    if (text != previous)
                    {
                        await stdout.WriteAsync(terminal && parse.GetValue(watch) ? "\u001b[H\u001b[2J" + text : (previous is null ? "" : "\n") + text);
                        await stdout.FlushAsync(ct);
                        previous = text;
                    }
                    if (!parse.GetValue(watch))
                    {
                        return (int)ExitCode.Success;
                    }
                    await Task.Delay(parse.GetValue(interval), ct);
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested && parse.GetValue(watch))
            {
                // Ctrl+C is how a watch ends.
                return (int)ExitCode.Success;
            }
        });
        return command;
    }

    private static async Task<string> RenderAsync(RolloutTarget target, string? model, bool json, CancellationToken ct)
    {
        var rollouts = model is null
            ? [.. await target.Store.ListAsync(target.Scope, ct)]
            : new List<StoredRollout> { await target.LoadAsync(model, ct) };
        var withPolicies = rollouts.Select(r => (r, target.PolicyOf(r.Model))).ToList();
        if (json)
        {
            return RolloutStatusJson.Render(withPolicies);
        }
        if (withPolicies.Count == 0)
        {
            return $"No rollouts in environment {target.Environment} yet: the reconciler records one when it first deploys a model.\n";
        }
        return string.Join("\n", withPolicies.Select(r => RolloutTree.Render(r.Item1, r.Item2)));
    }

    private static Command Action(string name, string description, RolloutCommandKind kind)
    {
        var model = new Option<string>("--model") { Description = "The model whose rollout to command", Required = true };
        var actor = new Option<string?>("--actor") { Description = $"Who gives the command, recorded in the rollout's history (default: ${OperatorIdentity.Variable}, else the login name)" };
        var full = new Option<bool>("--full") { Description = "Skip every remaining step and analysis: the new version becomes stable once its pods are ready" };
        var command = new Command(name, description) { model, actor };
        if (kind == RolloutCommandKind.Promote)
        {
            command.Options.Add(full);
        }
        var common = Common.AddTo(command);
        model.CompleteModels(common.Repository);
        command.WithExamples(
            ($"gitops rollout {name} --model fraud-detector", $"{name} the local environment's rollout of fraud-detector"),
            ($"gitops rollout {name} --env prod --model fraud-detector --actor alice", "in a cluster, recorded as given by alice"));
        command.SetAction(async (ParseResult parse, CancellationToken ct) =>
        {
            using var target = common.Open(parse);
            var modelName = parse.GetValue(model)!;
            var effective = kind == RolloutCommandKind.Promote && parse.GetValue(full) ? RolloutCommandKind.PromoteFull : kind;
            var stored = await target.LoadAsync(modelName, ct);
            if (RolloutCommands.Refusal(stored.State, effective) is { } refusal)
            {
                throw new UserError($"cannot {Verb(effective)} {modelName} in environment {target.Environment}: {refusal}.");
            }
            var command = new RolloutCommand(effective, OperatorIdentity.Resolve(parse.GetValue(actor)), TimeProvider.System.GetUtcNow());
            PendingRolloutCommand written;
            try
            {
                written = await target.Store.WriteCommandAsync(target.Scope, modelName, command, ct);
            }
            catch (RolloutNotFoundException e)
            {
                throw new UserError(e.Message);
            }
            var earlier = stored.PendingCommands.Select(p => $"{Verb(p.Command.Kind)} by {p.Command.Actor}").ToList();
            var replaced = earlier.Count == 0
                ? ""
                : $" Also pending: {string.Join(", ", earlier)}; all are applied in that pass, in the order given, an abort winning over a promote.";
            await parse.Out().WriteLineAsync(
                $"{Verb(effective)} of {modelName} ({stored.State.Canary ?? stored.State.Stable}) in environment {target.Environment} recorded "
                + $"by {command.Actor} at {RolloutTree.Time(command.At)} (command {written.Id}); the reconciler applies it on its next pass.{replaced}");
            return (int)ExitCode.Success;
        });
        return command;
    }

    private static string Verb(RolloutCommandKind kind) => RolloutCommands.Name(kind);
}

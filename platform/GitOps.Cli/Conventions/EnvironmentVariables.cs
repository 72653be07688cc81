using System.Collections.Immutable;
using GitOps.Cli.Output;
using GitOps.GitHub.Connection;
using GitOps.Reconciler.Hosting;
using GitOps.Specs.Contracts;

namespace GitOps.Cli.Conventions;

/// <summary>A variable <c>gitops</c> reads as a default; the flag named in <see cref="Flag"/> wins over it.</summary>
public sealed record EnvironmentVariable(string Name, string Flag, string Description);

/// <summary>
/// Every environment variable the <c>gitops</c> commands read, in one table: printed by <c>gitops --help</c> and
/// written to docs/cli.md. A command that reads a new variable adds its row here.
/// </summary>
public static class EnvironmentVariables
{
    public const string Context = "GITOPS_CONTEXT";
    public const string Kubeconfig = "KUBECONFIG";
    public const string Workdir = "GITOPS_WORKDIR";
    public const string GitToken = "GITOPS_GIT_TOKEN";
    public const string ServingToken = "GITOPS_SERVING_TOKEN";
    public const string FaultErrors = "GITOPS_SERVING_FAULT_ERRORS";
    public const string FaultLatency = "GITOPS_SERVING_FAULT_LATENCY";
    public const string FaultTrack = "GITOPS_SERVING_FAULT_TRACK";
    public const string CacheRedis = "GITOPS_CACHE_REDIS";
    public const string ApplyParallelism = "GITOPS_APPLY_PARALLELISM";
    public const string Shard = "GITOPS_SHARD";

    public static readonly ImmutableArray<EnvironmentVariable> All =
    [
        new(RepositoryPath.Variable, "PATH, --repo", "repository checkout read by validate, plan, render and the other commands that take PATH"),
        new(OutputOption.Variable, "-o, --output", "output format (in any case), used by the commands that support that format; one no command has is a usage error"),
        new(Context, "--context", "kubeconfig context for plan --live-cluster and reconcile"),
        new(Kubeconfig, "--kubeconfig", "kubeconfig files, separated by ':' as kubectl reads them (default ~/.kube/config)"),
        new(Workdir, "--workdir", "where reconcile clones the repository"),
        new(GitToken, "--git-token-file", "token for HTTPS Git remotes (reconcile)"),
        new(ApplyParallelism, "--apply-parallelism", "objects reconcile applies at once within a wave (default 8)"),
        new(Shard, "--shard", "K/N: the part of the models this reconciler converges when N reconcilers share the environments (default 1/1)"),
        new(WebhookSecret.EnvironmentVariable, "--webhook-secret-file", "GitHub webhook secret (reconcile)"),
        new(GitOps.Reconciler.WebConsole.ConsoleToken.EnvironmentVariable, "--console-token-file", "Web console bearer token (reconcile, up)"),
        new(TrainingContract.ArtifactsToken, TrainingContract.ArtifactsTokenFile, "bearer token for http(s) artifact stores (artifacts, train)"),
        new(TrainingContract.ArtifactsTokenFile, "(none)", "file holding the artifact store token, a mounted Secret (artifacts, train; what rendered pods use)"),
        new(GitOps.Cli.Rollouts.OperatorIdentity.Variable, "--actor", "who gives rollout promote/abort/retry, recorded in the rollout's history (default: the login name)"),
        new(ServingToken, "--token", "bearer token required by serve on model endpoints"),
        new(CacheRedis, "--cache-redis", "Redis connection of serve's response cache, host:port[,password=...] (a Secret, kept out of the arguments)"),
        new(FaultErrors, "--fault-errors", "testing only: fraction of infer requests serve answers 500 (inherited by the servers gitops up starts)"),
        new(FaultLatency, "--fault-latency", "testing only: latency serve adds to every infer request, e.g. 200ms"),
        new(FaultTrack, "--fault-track", "inject the serve faults only on this track: stable or canary (in any case)"),
        new(GitOps.Reconciler.Drivers.Local.PrometheusProcess.BinaryVariable, "(none)", "the prometheus binary gitops up runs (default /usr/bin/prometheus, else the first on PATH)"),
        new(GitHubCredentialSource.TokenVariable, "--token-file, --github-token-file", "GitHub token for github pr-check and for reporting from reconcile and up (set by GitHub Actions; docs/github.md)"),
        new(GitOps.Cli.Commands.GitHubReporting.RepositoryVariable, "--github-repository", "owner/name reconcile and up report deployments, commit statuses and rollbacks to (unset: off)"),
        new("GITHUB_REPOSITORY", "--repository", "owner/name of the repository github pr-check reports to"),
        new("GITHUB_EVENT_PATH", "--event", "the pull_request event file github pr-check reads"),
        new("GITHUB_API_URL", "--api-url, --github-api-url", "GitHub REST API root (GitHub Enterprise Server: https://HOST/api/v3)"),
        new("GITHUB_STEP_SUMMARY", "--summary-file", "job summary github pr-check writes when it cannot write to the pull request"),
        new(GitHubCredentialSource.AppIdVariable, "--app-id, --github-app-id", "GitHub App id, to authenticate as an app"),
        new(GitHubCredentialSource.InstallationIdVariable, "--installation-id, --github-installation-id", "GitHub App installation id"),
        new(GitHubCredentialSource.AppKeyFileVariable, "--app-key-file, --github-app-key-file", "GitHub App private key file (PEM)"),
        new(ColorMode.NoColorVariable, "--color", "any value turns colour off (https://no-color.org)"),
        new(ColorMode.ForceColorVariable, "--color", "any value turns colour on even when output is piped"),
        new("GITOPS_DATASET, GITOPS_LABEL, ...", "train options", "the trainer contract's inputs (docs/training.md)"),
    ];
}

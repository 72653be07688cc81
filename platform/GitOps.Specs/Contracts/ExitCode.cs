namespace GitOps.Specs.Contracts;

/// <summary>
/// The exit codes of every <c>gitops</c> command and of the trainer contract, defined once. Scripts and
/// Kubernetes (a Job's <c>backoffLimit</c>) read them; <c>docs/cli.md</c> lists them.
/// </summary>
public enum ExitCode
{
    /// <summary>The command did what was asked (for validate: no errors).</summary>
    Success = 0,

    /// <summary>The command ran and found problems: spec errors, a failed training run, a missing artifact, a
    /// reconcile pass that did not converge. With <c>plan --detailed-exitcode</c>: any error.</summary>
    Findings = 1,

    /// <summary>The command line or an input it names is wrong (unknown option or --env, missing file, digest
    /// mismatch): fix the command or its inputs; retrying the same command cannot help. With
    /// <c>plan --detailed-exitcode</c>: the plan has changes.</summary>
    Usage = 2,

    /// <summary>Only with <c>plan --detailed-exitcode</c> (as <c>terraform plan</c>): the plan has changes.</summary>
    PlanHasChanges = Usage,

    /// <summary>A bug in gitops: the message asks to report it.</summary>
    InternalError = 3,

    /// <summary>Interrupted by Ctrl+C or SIGINT (128 + 2, as shells report it).</summary>
    Interrupted = 130,
}

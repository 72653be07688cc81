namespace GitOps.Cli.Tests.Support;

/// <summary>Signals sent to child processes as a terminal or an orchestrator sends them.</summary>
internal static class Signals
{
    public const int Sigint = 2;
    public const int Sigterm = 15;

    /// <summary>Sends a signal to a process (kill(2)); 0 when it was delivered.</summary>
    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    public static extern int Kill(int pid, int signal);
}

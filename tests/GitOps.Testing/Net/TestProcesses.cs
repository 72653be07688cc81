using System.Diagnostics;

namespace GitOps.Testing.Net;

/// <summary>Stopping the real servers tests start (Prometheus, Redis, s3rver) and removing their folders.</summary>
public static class TestProcesses
{
    /// <summary>Kills <paramref name="process"/> if it still runs, waits for it, and deletes <paramref name="folder"/>.</summary>
    public static async ValueTask StopAsync(Process process, string folder)
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
        process.Dispose();
        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (IOException)
        {
            // The folder is in the temporary directory; a leftover is harmless.
        }
    }
}

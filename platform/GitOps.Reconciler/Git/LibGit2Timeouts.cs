using System.Diagnostics;
using System.Runtime.InteropServices;
using LibGit2Sharp;

namespace GitOps.Reconciler.Git;

/// <summary>
/// libgit2's own network timeouts (connect, and each read or write), which LibGit2Sharp does not expose. Without them
/// a remote that accepts the connection and never answers blocks a fetch forever inside native code, where neither a
/// cancellation token nor a transfer-progress callback is ever consulted. The options are process-wide in libgit2.
/// </summary>
internal static class LibGit2Timeouts
{
    // git_libgit2_opt_t in libgit2's common.h (1.7 and later).
    private const int SetServerConnectTimeout = 39;
    private const int GetServerConnectTimeout = 40;
    private const int SetServerTimeout = 41;
    private const int GetServerTimeout = 42;

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate int SetOption(int option, int value);

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate int GetOption(int option, out int value);

    private static readonly Lock Gate = new();
    private static (SetOption Set, GetOption Get)? _options;
    private static bool _resolved;

    /// <summary>
    /// Sets both timeouts to <paramref name="timeout"/> (at least 1 ms). Returns false when the native library does
    /// not take the options (an older libgit2); the caller's own deadline still applies then.
    /// </summary>
    public static bool TrySet(TimeSpan timeout)
    {
        var milliseconds = (int)Math.Clamp(timeout.TotalMilliseconds, 1, int.MaxValue);
        lock (Gate)
        {
            if (Resolve() is not { } options)
            {
                return false;
            }
            return options.Set(SetServerConnectTimeout, milliseconds) == 0
                && options.Set(SetServerTimeout, milliseconds) == 0
                && options.Get(GetServerConnectTimeout, out var connect) == 0 && connect == milliseconds
                && options.Get(GetServerTimeout, out var io) == 0 && io == milliseconds;
        }
    }

    private static (SetOption Set, GetOption Get)? Resolve()
    {
        if (_resolved)
        {
            return _options;
        }
        _resolved = true;
        try
        {
            // Any call into LibGit2Sharp's native layer loads the library it ships (its name carries a hash).
            _ = GlobalSettings.GetConfigSearchPaths(ConfigurationLevel.Global);
            using var self = Process.GetCurrentProcess();
            var module = self.Modules.Cast<ProcessModule>().FirstOrDefault(m =>
                m.ModuleName.StartsWith("libgit2-", StringComparison.Ordinal) || m.ModuleName.StartsWith("git2-", StringComparison.Ordinal));
            if (module is null || !NativeLibrary.TryLoad(module.FileName, out var handle)
                || !NativeLibrary.TryGetExport(handle, "git_libgit2_opts", out var export))
            {
                return null;
            }
            _options = (Marshal.GetDelegateForFunctionPointer<SetOption>(export), Marshal.GetDelegateForFunctionPointer<GetOption>(export));
            return _options;
        }
        catch (Exception e) when (e is LibGit2SharpException or InvalidOperationException or NotSupportedException or System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }
}

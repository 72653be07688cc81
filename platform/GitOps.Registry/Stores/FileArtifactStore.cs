using System.Runtime.InteropServices;

namespace GitOps.Registry.Stores;

/// <summary>
/// A store on a local or mounted file system. A create writes a temporary file beside the key and puts it in place
/// without overwriting, so a reader sees either nothing or the whole file, and of two racing writers exactly one wins.
/// On Unix that is a hard link, which the kernel refuses atomically when the key exists (<c>File.Move</c> without
/// overwrite checks and then renames, so two writers can both succeed); on Windows a move without replace is atomic.
/// </summary>
public sealed class FileArtifactStore(string rootPath) : IArtifactStore
{
    private const int BufferSize = 1 << 16;
    private const int ErrorAlreadyExists = 17; // EEXIST on Linux and macOS

    public string Root { get; } = Path.GetFullPath(rootPath);

    public string Describe(string key) => Path.Combine(Root, key);

    public Task<Stream?> OpenReadAsync(string key, CancellationToken ct)
    {
        var path = Describe(key);
        try
        {
            return Task.FromResult<Stream?>(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, BufferSize, useAsync: true));
        }
        catch (DirectoryNotFoundException) when (!Directory.Exists(Root))
        {
            // A store whose folder is missing is not mounted (or was never created): everything would read as absent,
            // and a version with no metrics would be rejected for the store's fault.
            throw new ArtifactStoreException($"the artifact store folder '{Root}' does not exist; mount the store there or fix spec.artifacts.uri");
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return Task.FromResult<Stream?>(null);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ArtifactStoreException($"cannot read '{path}': {e.Message}", e);
        }
    }

    public Task<bool> ExistsAsync(string key, CancellationToken ct) => Task.FromResult(File.Exists(Describe(key)));

    public async Task<CreateResult> CreateAsync(string key, Stream content, string contentType, CancellationToken ct)
    {
        var path = Describe(key);
        if (File.Exists(path))
        {
            return CreateResult.AlreadyExists;
        }
        return await WriteAsync(path, content, ct) ? CreateResult.Created : CreateResult.AlreadyExists;
    }

    /// <summary>Writes beside the target and moves it into place without overwriting; false when another writer
    /// created the file first.</summary>
    private static async Task<bool> WriteAsync(string path, Stream content, CancellationToken ct)
    {
        var directory = Path.GetDirectoryName(path)!;
        var temp = Path.Combine(directory, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}.partial");
        try
        {
            Directory.CreateDirectory(directory);
            await using (var output = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, BufferSize, useAsync: true))
            {
                await content.CopyToAsync(output, BufferSize, ct);
                await output.FlushAsync(ct);
            }
            return PutInPlace(temp, path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ArtifactStoreException($"cannot write '{path}': {e.Message}", e);
        }
        finally
        {
            if (File.Exists(temp))
            {
                File.Delete(temp);
            }
        }
    }

    /// <summary>Makes <paramref name="temp"/> visible as <paramref name="path"/> unless it exists; false when it
    /// does.</summary>
    private static bool PutInPlace(string temp, string path)
    {
        if (!OperatingSystem.IsWindows())
        {
            if (Link(temp, path) == 0)
            {
                return true;
            }
            var error = Marshal.GetLastPInvokeError();
            if (error == ErrorAlreadyExists)
            {
                return false;
            }
            // A file system without hard links (some network and FUSE mounts): the move below is the best it offers.
        }
        try
        {
            File.Move(temp, path, overwrite: false);
            return true;
        }
        catch (IOException) when (File.Exists(path))
        {
            return false;
        }
    }

    [DllImport("libc", EntryPoint = "link", SetLastError = true)]
    private static extern int Link([MarshalAs(UnmanagedType.LPUTF8Str)] string existing, [MarshalAs(UnmanagedType.LPUTF8Str)] string created);
}

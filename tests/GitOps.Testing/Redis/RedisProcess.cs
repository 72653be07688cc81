using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text;
using GitOps.Testing.Net;

namespace GitOps.Testing.Redis;

/// <summary>
/// A real Redis server on 127.0.0.1 (the Debian package's <c>redis-server</c>), in memory only, with its working
/// folder in a temporary directory. Disposing stops the process and deletes the folder.
/// </summary>
public sealed class RedisProcess : IAsyncDisposable
{
    public const string Binary = "/usr/bin/redis-server";

    private readonly Process _process;
    private readonly string _folder;

    private RedisProcess(Process process, string folder, int port)
    {
        _process = process;
        _folder = folder;
        Port = port;
    }

    public int Port { get; }

    /// <summary>The address in the form clients take: <c>127.0.0.1:PORT</c>.</summary>
    public string Address => $"127.0.0.1:{Port.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>Starts a server on a free loopback port; with <paramref name="password"/> it refuses clients that do not
    /// authenticate (<c>requirepass</c>).</summary>
    public static async Task<RedisProcess> StartAsync(CancellationToken cancellationToken, string? password = null)
    {
        var folder = Directory.CreateTempSubdirectory("gitops-redis-").FullName;
        var port = LoopbackPorts.Free();
        var start = new ProcessStartInfo(Binary)
        {
            ArgumentList = { "--bind", "127.0.0.1", "--port", port.ToString(CultureInfo.InvariantCulture), "--save", "", "--appendonly", "no", "--dir", folder, "--loglevel", "warning" },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (password is not null)
        {
            start.ArgumentList.Add("--requirepass");
            start.ArgumentList.Add(password);
        }
        var process = Process.Start(start) ?? throw new InvalidOperationException($"{Binary} did not start");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var server = new RedisProcess(process, folder, port);
        try
        {
            await server.WaitReadyAsync(TimeSpan.FromSeconds(20), cancellationToken);
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
        return server;
    }

    /// <summary>Sends one command in Redis' inline form and returns the first line of the answer.</summary>
    public async Task<string> CommandAsync(string command, CancellationToken cancellationToken)
    {
        using var client = new TcpClient();
        await client.ConnectAsync("127.0.0.1", Port, cancellationToken);
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.UTF8.GetBytes(command + "\r\n"), cancellationToken);
        var buffer = new byte[4096];
        var read = await stream.ReadAsync(buffer, cancellationToken);
        return Encoding.UTF8.GetString(buffer, 0, read).Split("\r\n")[0];
    }

    public ValueTask DisposeAsync() => TestProcesses.StopAsync(_process, _folder);

    private async Task WaitReadyAsync(TimeSpan limit, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + limit;
        while (true)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"redis-server exited with code {_process.ExitCode} before it answered");
            }
            try
            {
                // A server with a password answers PING from an unauthenticated client with NOAUTH: it is up.
                if (await CommandAsync("PING", cancellationToken) is "+PONG" or ['-', 'N', 'O', 'A', 'U', 'T', 'H', ..])
                {
                    return;
                }
            }
            catch (SocketException)
            {
                // Not listening yet.
            }
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"redis-server did not answer PING within {limit}");
            }
            await Task.Delay(50, cancellationToken);
        }
    }
}

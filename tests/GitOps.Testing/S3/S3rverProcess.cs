using System.Diagnostics;
using System.Text.RegularExpressions;
using GitOps.Testing.Net;

namespace GitOps.Testing.S3;

/// <summary>
/// A real S3-compatible server on 127.0.0.1: npm's <c>s3rver</c> (installed by <c>.ci/run</c> with
/// <c>npm install -g s3rver@3.7.1</c>; <c>GITOPS_S3RVER</c> names another binary) with one bucket and its data in a
/// temporary folder. It accepts the access key <see cref="AccessKey"/> and secret <see cref="SecretKey"/>. Known gaps,
/// covered elsewhere: it ignores <c>If-None-Match: *</c> (races are tested against a server that honours it) and
/// stores an aws-chunked body with its framing (the store never sends one). Disposing stops it and deletes the folder.
/// </summary>
public sealed partial class S3rverProcess : IAsyncDisposable
{
    public const string AccessKey = "S3RVER";
    public const string SecretKey = "S3RVER";

    private readonly Process _process;
    private readonly string _folder;

    private S3rverProcess(Process process, string folder, Uri endpoint, string bucket)
    {
        _process = process;
        _folder = folder;
        Endpoint = endpoint;
        Bucket = bucket;
    }

    /// <summary>The server's endpoint, for path-style requests.</summary>
    public Uri Endpoint { get; }

    public string Bucket { get; }

    /// <summary>
    /// Puts s3rver's keys where the AWS standard credential chain looks first, the process's AWS_ACCESS_KEY_ID and
    /// AWS_SECRET_ACCESS_KEY, so stores opened the way the platform opens them find credentials. Test servers that
    /// check no signature accept them too.
    /// </summary>
    public static void UseKeysInEnvironment()
    {
        Environment.SetEnvironmentVariable("AWS_ACCESS_KEY_ID", AccessKey);
        Environment.SetEnvironmentVariable("AWS_SECRET_ACCESS_KEY", SecretKey);
    }

    [GeneratedRegex(@"listening on 127\.0\.0\.1:(\d+)")]
    private static partial Regex Listening();

    /// <summary>Starts the server with bucket <paramref name="bucket"/> and waits until it listens.</summary>
    public static async Task<S3rverProcess> StartAsync(string bucket, CancellationToken cancellationToken)
    {
        var folder = Directory.CreateTempSubdirectory("gitops-s3rver-").FullName;
        var binary = Environment.GetEnvironmentVariable("GITOPS_S3RVER") is { Length: > 0 } named ? named : "s3rver";
        var start = new ProcessStartInfo(binary)
        {
            ArgumentList = { "--directory", folder, "--address", "127.0.0.1", "--port", "0", "--configure-bucket", bucket },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException($"{binary} did not start");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            Directory.Delete(folder, recursive: true);
            throw new InvalidOperationException($"'{binary}' cannot be started ({e.Message}): install it with `npm install -g s3rver@3.7.1` (.ci/run does) or name it in GITOPS_S3RVER", e);
        }
        var port = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        process.OutputDataReceived += (_, line) =>
        {
            if (line.Data is { } text && Listening().Match(text) is { Success: true } match)
            {
                port.TrySetResult(int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture));
            }
        };
        process.ErrorDataReceived += (_, _) => { };
        process.Exited += (_, _) => port.TrySetException(new InvalidOperationException($"{binary} exited before it listened"));
        process.EnableRaisingEvents = true;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var server = new S3rverProcess(process, folder, new Uri("http://127.0.0.1/"), bucket);
        try
        {
            var listening = await port.Task.WaitAsync(TimeSpan.FromSeconds(30), cancellationToken);
            return new S3rverProcess(process, folder, new Uri($"http://127.0.0.1:{listening}/"), bucket);
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    public ValueTask DisposeAsync() => TestProcesses.StopAsync(_process, _folder);
}

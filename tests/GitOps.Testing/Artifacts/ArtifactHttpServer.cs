using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace GitOps.Testing.Artifacts;

/// <summary>
/// A small artifact repository on 127.0.0.1 (GET and PUT by path, like a WebDAV server or a bucket behind an
/// HTTP gateway), optionally requiring a bearer token. A PUT with <c>If-None-Match: *</c> on an existing path is
/// refused with 412 like S3 and WebDAV do, so create-only writes can be tested; <see cref="Down"/> answers 503.
/// </summary>
public sealed class ArtifactHttpServer : IDisposable
{
    private const int BindAttempts = 20;

    private readonly HttpListener _listener;
    private readonly Task _loop;
    private readonly string? _token;

    public ArtifactHttpServer(string? token = null)
    {
        _token = token;
        (_listener, BaseUri) = Bind();
        _loop = Task.Run(ServeAsync);
    }

    /// <summary>
    /// HttpListener cannot bind port 0, so a free port is probed first; another process may take it between the
    /// probe and the bind, hence a few attempts on fresh ports.
    /// </summary>
    private static (HttpListener Listener, string BaseUri) Bind()
    {
        for (var attempt = 1; ; attempt++)
        {
            var probe = new TcpListener(IPAddress.Loopback, 0);
            probe.Start();
            var port = ((IPEndPoint)probe.LocalEndpoint).Port;
            probe.Stop();
            var baseUri = $"http://127.0.0.1:{port}";
            var listener = new HttpListener();
            listener.Prefixes.Add(baseUri + "/");
            try
            {
                listener.Start();
                return (listener, baseUri);
            }
            catch (HttpListenerException) when (attempt < BindAttempts)
            {
                listener.Abort();
            }
        }
    }

    public string BaseUri { get; }

    /// <summary>Stored files by absolute path (e.g. <c>/models/fraud/1/model.onnx</c>).</summary>
    public ConcurrentDictionary<string, byte[]> Files { get; } = new(StringComparer.Ordinal);

    /// <summary>When true, every request is answered 503 (the store is down).</summary>
    public bool Down { get; set; }

    /// <summary>The Authorization header of every request, in order (null when there was none).</summary>
    public ConcurrentQueue<string?> Authorizations { get; } = new();

    /// <summary>Paths in the order they were written.</summary>
    public ConcurrentQueue<string> PutOrder { get; } = new();

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }
            await HandleAsync(context);
        }
    }

    private async Task HandleAsync(HttpListenerContext context)
    {
        var request = context.Request;
        var response = context.Response;
        var path = Uri.UnescapeDataString(request.Url!.AbsolutePath);
        Authorizations.Enqueue(request.Headers["Authorization"]);
        if (Down)
        {
            response.StatusCode = 503;
        }
        else if (_token is not null && request.Headers["Authorization"] != $"Bearer {_token}")
        {
            response.StatusCode = 401;
        }
        else if (request.HttpMethod is "GET" or "HEAD")
        {
            if (Files.TryGetValue(path, out var body))
            {
                response.ContentLength64 = body.Length;
                if (request.HttpMethod == "GET")
                {
                    await response.OutputStream.WriteAsync(body);
                }
            }
            else
            {
                response.StatusCode = 404;
            }
        }
        else if (request.HttpMethod == "PUT")
        {
            using var buffer = new MemoryStream();
            await request.InputStream.CopyToAsync(buffer);
            var createOnly = request.Headers["If-None-Match"] == "*";
            if (createOnly ? Files.TryAdd(path, buffer.ToArray()) : (Files[path] = buffer.ToArray()) is not null)
            {
                PutOrder.Enqueue(path);
                response.StatusCode = 201;
            }
            else
            {
                response.StatusCode = 412;
            }
        }
        else
        {
            response.StatusCode = 405;
        }
        response.Close();
    }

    public void Dispose()
    {
        // Close alone: Stop followed by Close makes the managed listener look its port up again, which binds it
        // anew and fails with "address already in use" when another test took the port in between.
        try
        {
            _listener.Close();
        }
        catch (HttpListenerException)
        {
            _listener.Abort();
        }
        _loop.Wait(TimeSpan.FromSeconds(5));
    }
}

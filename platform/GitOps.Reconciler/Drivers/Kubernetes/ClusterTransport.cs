using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using k8s;
using k8s.Authentication;
using k8s.Exceptions;

namespace GitOps.Reconciler.Drivers.Kubernetes;

/// <summary>
/// The HTTP side of a client configuration: the server's address, TLS as the kubeconfig asks (the cluster's certificate
/// authority, or the system's roots when it names none, as kubectl does; client certificates; tls-server-name), and the credentials
/// KubernetesClient derives from it (bearer tokens, refreshed token files, exec plugins, basic auth). Built here rather
/// than by constructing KubernetesClient's typed client, whose type alone (every API operation) costs a process
/// about 8 MiB of resident memory that only raw requests are made through.
/// </summary>
internal static class ClusterTransport
{
    public static (HttpClient Http, Uri BaseUri, Func<HttpRequestMessage, CancellationToken, Task> Authorize) Create(KubernetesClientConfiguration config)
    {
        if (!Uri.TryCreate(config.Host, UriKind.Absolute, out var baseUri) || baseUri.Scheme is not ("https" or "http"))
        {
            throw new KubeConfigException($"the server '{config.Host}' is not an http(s) URL");
        }
        var handler = new SocketsHttpHandler
        {
            // Watches stay open for minutes: ping to find a dead connection instead of waiting on it.
            KeepAlivePingPolicy = HttpKeepAlivePingPolicy.WithActiveRequests,
            KeepAlivePingDelay = TimeSpan.FromMinutes(3),
            KeepAlivePingTimeout = TimeSpan.FromSeconds(30),
        };
        // The kubeconfig's proxy-url (KubeconfigFiles), as the client library would apply it to its own handler.
        config.FirstMessageHandlerSetup?.Invoke(handler);
        if (baseUri.Scheme == Uri.UriSchemeHttps)
        {
            if (config.SkipTlsVerify)
            {
                handler.SslOptions.RemoteCertificateValidationCallback = (_, _, _, _) => true;
            }
            else if (config.SslCaCerts is { Count: > 0 } authorities)
            {
                handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, chain, errors) =>
                    IssuedBy(authorities, certificate, chain, errors);
            }
            if (ClientCertificate(config) is { } certificate)
            {
                handler.SslOptions.ClientCertificates = [certificate];
            }
        }
        ServiceClientCredentials? credentials = config.TokenProvider is not null ? new TokenCredentials(config.TokenProvider)
            : !string.IsNullOrEmpty(config.AccessToken) ? new TokenCredentials(config.AccessToken)
            : !string.IsNullOrEmpty(config.Username) ? new BasicAuthenticationCredentials { UserName = config.Username, Password = config.Password }
            : null;
        var http = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
        // The kubeconfig's tls-server-name (an API server reached by an address its certificate does not name) goes out
        // as the Host of each request, as KubernetesClient's typed client sends it: the handler then asks for that name
        // in the handshake and checks the certificate against it.
        var serverName = string.IsNullOrWhiteSpace(config.TlsServerName) ? null : config.TlsServerName;
        return (http, baseUri, Prepare);

        Task Prepare(HttpRequestMessage request, CancellationToken ct)
        {
            if (serverName is not null)
            {
                request.Headers.Host = serverName;
            }
            return credentials?.ProcessHttpRequestAsync(request, ct) ?? Task.CompletedTask;
        }
    }

    /// <summary>True when the server's certificate names the host asked for and chains up to one of the cluster's own
    /// authorities (and only those: a certificate the system would trust is not enough, as with kubectl).</summary>
    private static bool IssuedBy(X509Certificate2Collection authorities, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        if (certificate is null || (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) != 0)
        {
            return false;
        }
        // The chain the handshake built carries the intermediates the server sent; build it again against our roots.
        var owned = chain is null ? new X509Chain() : null;
        var build = chain ?? owned!;
        try
        {
            build.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            build.ChainPolicy.CustomTrustStore.Clear();
            build.ChainPolicy.CustomTrustStore.AddRange(authorities);
            build.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            return build.Build(certificate as X509Certificate2 ?? X509CertificateLoader.LoadCertificate(certificate.GetRawCertData()));
        }
        finally
        {
            owned?.Dispose();
        }
    }

    /// <summary>The client certificate and key, from the kubeconfig's data (base64 PEM) or files, or an exec
    /// plugin's answer; null when the user authenticates otherwise.</summary>
    private static X509Certificate2? ClientCertificate(KubernetesClientConfiguration config)
    {
        string certificate, key;
        if (!string.IsNullOrWhiteSpace(config.ClientCertificateData) && !string.IsNullOrWhiteSpace(config.ClientCertificateKeyData))
        {
            (certificate, key) = (Pem(config.ClientCertificateData, "client-certificate-data"), Pem(config.ClientCertificateKeyData, "client-key-data"));
        }
        else if (!string.IsNullOrWhiteSpace(config.ClientCertificateFilePath) && !string.IsNullOrWhiteSpace(config.ClientKeyFilePath))
        {
            try
            {
                (certificate, key) = (File.ReadAllText(config.ClientCertificateFilePath), File.ReadAllText(config.ClientKeyFilePath));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new KubeConfigException($"cannot read the client certificate or key: {e.Message}");
            }
        }
        else
        {
            return null;
        }
        try
        {
            using var pem = X509Certificate2.CreateFromPem(certificate, key);
            // A key read from PEM is ephemeral; TLS stacks that keep keys in a store need it imported.
            return X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
        }
        catch (System.Security.Cryptography.CryptographicException e)
        {
            throw new KubeConfigException($"the client certificate and key do not form a usable pair: {e.Message}");
        }
    }

    private static string Pem(string base64, string key)
    {
        try
        {
            return System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(base64));
        }
        catch (FormatException)
        {
            throw new KubeConfigException($"{key} is not base64");
        }
    }
}

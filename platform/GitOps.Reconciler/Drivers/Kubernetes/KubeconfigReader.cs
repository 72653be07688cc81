using k8s.Exceptions;
using k8s.KubeConfigModels;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace GitOps.Reconciler.Drivers.Kubernetes;

/// <summary>
/// Reads one kubeconfig file into the client's configuration model, as kubectl reads it: clusters, users and contexts
/// by name, paths to certificate files and relative exec commands resolved against the file's own folder, unknown
/// keys ignored. The client's own loader builds a YAML serializer for every Kubernetes type it knows on first use,
/// about 50 MiB of a process's resident memory to read a file of a dozen keys; this reads the YAML tree directly.
/// A malformed file is a <see cref="KubeConfigException"/> naming <c>file:line:col</c>.
/// </summary>
public static class KubeconfigReader
{
    public static K8SConfiguration Read(string path)
    {
        var full = Path.GetFullPath(path);
        string text;
        try
        {
            text = File.ReadAllText(full);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new KubeConfigException($"cannot read kubeconfig {full}: {e.Message}");
        }
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException e)
        {
            throw new KubeConfigException($"{full}:{e.Start.Line}:{e.Start.Column}: not valid YAML: {e.Message}");
        }
        var file = new Source(full, Path.GetDirectoryName(full)!);
        var root = stream.Documents.Count == 0 ? null : file.Mapping(stream.Documents[0].RootNode, "the file");
        return new K8SConfiguration
        {
            ApiVersion = file.Text(root, "apiVersion"),
            Kind = file.Text(root, "kind"),
            CurrentContext = file.Text(root, "current-context"),
            Preferences = new Dictionary<string, object>(),
            Clusters = [.. file.Named(root, "clusters", "cluster", c => new Cluster
            {
                Name = file.Text(c.Parent, "name"),
                ClusterEndpoint = c.Body is null ? null : Endpoint(file, c.Body),
            })],
            Users = [.. file.Named(root, "users", "user", u => new User
            {
                Name = file.Text(u.Parent, "name"),
                UserCredentials = u.Body is null ? null : Credentials(file, u.Body),
            })],
            Contexts = [.. file.Named(root, "contexts", "context", c => new Context
            {
                Name = file.Text(c.Parent, "name"),
                ContextDetails = c.Body is null ? null : new ContextDetails
                {
                    Cluster = file.Text(c.Body, "cluster"),
                    User = file.Text(c.Body, "user"),
                    Namespace = file.Text(c.Body, "namespace"),
                },
            })],
        };
    }

    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<ClusterEndpoint, Uri> ProxyUrls = new();

    /// <summary>The cluster's <c>proxy-url</c> (http, https or socks5), or null: requests to it go through that proxy.</summary>
    public static Uri? ProxyUrlOf(ClusterEndpoint endpoint) => ProxyUrls.TryGetValue(endpoint, out var url) ? url : null;

    private static ClusterEndpoint Endpoint(Source file, YamlMappingNode cluster)
    {
        var endpoint = new ClusterEndpoint
        {
            Server = file.Text(cluster, "server"),
            CertificateAuthority = file.PathOf(cluster, "certificate-authority"),
            CertificateAuthorityData = file.Text(cluster, "certificate-authority-data"),
            SkipTlsVerify = file.Flag(cluster, "insecure-skip-tls-verify"),
            TlsServerName = file.Text(cluster, "tls-server-name"),
        };
        if (file.Text(cluster, "proxy-url") is { Length: > 0 } proxy)
        {
            // The schemes kubectl takes; the handler speaks all three.
            if (!Uri.TryCreate(proxy, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https" or "socks5"))
            {
                throw new KubeConfigException($"{file.Where(Source.Child(cluster, "proxy-url")!)}: proxy-url '{proxy}' is not an http://, https:// or socks5:// URL; fix the kubeconfig");
            }
            ProxyUrls.Add(endpoint, url);
        }
        return endpoint;
    }

    /// <summary>The token file each user read from one (its token not written inline): a token file is there to be
    /// rotated (projected service account tokens expire within the hour), so the connection reads it again as it goes
    /// (<see cref="KubeconfigFiles.Load"/>). Kept beside the model, which has no field for it.</summary>
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<UserCredentials, string> TokenFiles = new();

    /// <summary>The absolute path of the token file <paramref name="credentials"/> took its token from, or null.</summary>
    public static string? TokenFileOf(UserCredentials credentials) => TokenFiles.TryGetValue(credentials, out var path) ? path : null;

    private static UserCredentials Credentials(Source file, YamlMappingNode user)
    {
        var token = file.Text(user, "token");
        string? fromFile = null;
        if (string.IsNullOrEmpty(token) && file.PathOf(user, "tokenFile") is { } tokenFile)
        {
            fromFile = tokenFile;
            try
            {
                token = File.ReadAllText(tokenFile).Trim();
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new KubeConfigException($"{file.Where(user)}: cannot read tokenFile {tokenFile}: {e.Message}");
            }
        }
        var credentials = new UserCredentials
        {
            Token = token,
            UserName = file.Text(user, "username"),
            Password = file.Text(user, "password"),
            ClientCertificate = file.PathOf(user, "client-certificate"),
            ClientCertificateData = file.Text(user, "client-certificate-data"),
            ClientKey = file.PathOf(user, "client-key"),
            ClientKeyData = file.Text(user, "client-key-data"),
            Impersonate = file.Text(user, "as"),
            AuthProvider = file.Mapping(user, "auth-provider") is { } provider
                ? new AuthProvider { Name = file.Text(provider, "name"), Config = file.Strings(provider, "config") }
                : null,
            ExternalExecution = file.Mapping(user, "exec") is { } exec
                ? new ExternalExecution
                {
                    ApiVersion = file.Text(exec, "apiVersion"),
                    Command = file.Command(exec),
                    Arguments = file.Sequence(exec, "args")?.Select(a => file.Scalar(a, "args")!).ToList(),
                    EnvironmentVariables = file.Sequence(exec, "env")?.Select(v => file.Strings(file.Mapping(v, "env")))
                        .Select(v => v ?? []).ToList(),
                    InstallHint = file.Text(exec, "installHint"),
                    ProvideClusterInfo = file.Flag(exec, "provideClusterInfo"),
                }
                : null,
        };
        if (fromFile is not null)
        {
            TokenFiles.Add(credentials, fromFile);
        }
        return credentials;
    }

    /// <summary>One file being read: where its errors point and what its relative paths are relative to.</summary>
    private sealed record Source(string FileName, string Folder)
    {
        public string Where(YamlNode node) => $"{FileName}:{node.Start.Line}:{node.Start.Column}";

        public YamlMappingNode? Mapping(YamlNode? node, string what) => node switch
        {
            null => null,
            YamlMappingNode mapping => mapping,
            YamlScalarNode scalar when IsNull(scalar) => null,
            _ => throw new KubeConfigException($"{Where(node)}: {what} must be a mapping; fix the kubeconfig"),
        };

        public YamlMappingNode? Mapping(YamlMappingNode? parent, string key) => Mapping(Child(parent, key), $"'{key}'");

        public YamlSequenceNode? Sequence(YamlMappingNode? parent, string key) => Child(parent, key) switch
        {
            null => null,
            YamlSequenceNode sequence => sequence,
            YamlScalarNode scalar when IsNull(scalar) => null,
            var other => throw new KubeConfigException($"{Where(other)}: '{key}' must be a list; fix the kubeconfig"),
        };

        public string? Text(YamlMappingNode? parent, string key) => Child(parent, key) is { } node ? Scalar(node, key) : null;

        public string? Scalar(YamlNode node, string key) => node switch
        {
            YamlScalarNode scalar when IsNull(scalar) => null,
            YamlScalarNode scalar => scalar.Value,
            _ => throw new KubeConfigException($"{Where(node)}: '{key}' must be a single value; fix the kubeconfig"),
        };

        public bool Flag(YamlMappingNode? parent, string key) => Text(parent, key) is { } text
            && (bool.TryParse(text, out var value)
                ? value
                : throw new KubeConfigException($"{Where(Child(parent, key)!)}: '{key}' must be true or false, not '{text}'"));

        /// <summary>A path as the file gives it, made absolute against the file's folder.</summary>
        public string? PathOf(YamlMappingNode? parent, string key) =>
            Text(parent, key) is { Length: > 0 } path ? Path.GetFullPath(path, Folder) : null;

        /// <summary>An exec command: a bare name is looked up on PATH; one with a folder is relative to the file.</summary>
        public string? Command(YamlMappingNode exec) => Text(exec, "command") switch
        {
            { } command when command.Contains('/') => Path.GetFullPath(command, Folder),
            var command => command,
        };

        public Dictionary<string, string>? Strings(YamlMappingNode? parent, string key) => Strings(Mapping(parent, key));

        public Dictionary<string, string>? Strings(YamlMappingNode? mapping) => mapping?.Children
            .Select(e => Scalar(e.Key, "key") is { } key ? (Key: key, Value: Scalar(e.Value, key)) : (null, null))
            .Where(e => e.Key is not null && e.Value is not null)
            .ToDictionary(e => e.Key!, e => e.Value!, StringComparer.Ordinal);

        /// <summary>The items of a named list (<c>clusters</c>, <c>users</c>, <c>contexts</c>), each with the mapping
        /// under <paramref name="body"/>; the first item of a name wins, as when files are merged.</summary>
        public IEnumerable<T> Named<T>(YamlMappingNode? root, string list, string body, Func<(YamlMappingNode Parent, YamlMappingNode? Body), T> read)
        {
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var item in Sequence(root, list)?.Children ?? [])
            {
                var parent = Mapping(item, $"an item of '{list}'") ?? throw new KubeConfigException($"{Where(item)}: an item of '{list}' is empty");
                var name = Text(parent, "name") ?? throw new KubeConfigException($"{Where(item)}: an item of '{list}' has no name; name it");
                if (seen.Add(name))
                {
                    yield return read((parent, Mapping(parent, body)));
                }
            }
        }

        public static YamlNode? Child(YamlMappingNode? parent, string key) =>
            parent is not null && parent.Children.TryGetValue(new YamlScalarNode(key), out var value) ? value : null;

        private static bool IsNull(YamlScalarNode scalar) =>
            scalar.Style == ScalarStyle.Plain && scalar.Value is null or "" or "~" or "null" or "Null" or "NULL";
    }
}

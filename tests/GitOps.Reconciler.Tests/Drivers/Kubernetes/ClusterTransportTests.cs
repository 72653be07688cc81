using GitOps.Reconciler.Drivers.Kubernetes;
using GitOps.Testing.FakeKubernetes;
using Xunit;

namespace GitOps.Reconciler.Tests.Drivers.Kubernetes;

public sealed class ClusterTransportTests
{
    private static async Task<int> CountConfigMapsAsync(KubernetesApiConnection connection) =>
        (await new KubernetesClusterDriver(connection).ReadManagedAsync("prod", "ml", CancellationToken.None)).Count;

    public sealed class Anonymously : IDisposable
    {
        private readonly string _dir = Directory.CreateTempSubdirectory("gitops-anonymous-").FullName;

        public void Dispose() => Directory.Delete(_dir, recursive: true);

        [Fact]
        public async Task Should_Send_Requests_Without_Credentials_When_The_Kubeconfig_User_Has_None()
        {
            // Given a server that takes anonymous requests (kubectl proxy on 127.0.0.1) and a kubeconfig user: {}
            await using var server = await FakeKubernetesApiServer.StartAsync(new());
            server.Seed(FakeCluster.ConfigMap("prod-config"));
            var kubeconfig = server.WriteKubeconfig(Path.Combine(_dir, "config"));
            Assert.Contains("  user: {}", File.ReadAllText(kubeconfig), StringComparison.Ordinal);

            // When
            using var connection = KubernetesApiConnection.FromKubeconfig(kubeconfig, "fake", FakeCluster.FastRetry);

            // Then
            Assert.Equal(1, await CountConfigMapsAsync(connection));
        }

        [Fact]
        public async Task Should_Get_The_Servers_401_When_The_Server_Wants_Credentials_The_User_Has_None_Of()
        {
            // Given a server that wants a token and a kubeconfig user without one
            await using var server = await FakeKubernetesApiServer.StartAsync(new() { BearerToken = "t" });
            var kubeconfig = Path.Combine(_dir, "config");
            var text = File.ReadAllText(server.WriteKubeconfig(kubeconfig));
            File.WriteAllText(kubeconfig, text.Replace("  user:\n    token: t", "  user: {}", StringComparison.Ordinal));
            Assert.DoesNotContain("token", File.ReadAllText(kubeconfig), StringComparison.Ordinal);

            // When
            using var connection = KubernetesApiConnection.FromKubeconfig(kubeconfig, "fake", FakeCluster.FastRetry);
            var refused = await Assert.ThrowsAsync<KubernetesApiException>(() => CountConfigMapsAsync(connection));

            // Then the request went out without credentials and the server's answer is the message
            Assert.Equal(401, refused.StatusCode);
            Assert.Single(server.Requests);
        }
    }

    public sealed class ThroughAProxy : IDisposable
    {
        private readonly string _dir = Directory.CreateTempSubdirectory("gitops-proxy-").FullName;

        public void Dispose() => Directory.Delete(_dir, recursive: true);

        [Fact]
        public async Task Should_Send_Requests_Through_The_Clusters_Proxy_Url()
        {
            // Given an API server only reachable through a proxy (a name that does not resolve), and a proxy that
            // answers for it (the fake server takes the proxy's absolute-form requests)
            await using var proxy = await FakeKubernetesApiServer.StartAsync(new());
            proxy.Seed(FakeCluster.ConfigMap("prod-config"));
            var kubeconfig = Path.Combine(_dir, "config");
            File.WriteAllText(kubeconfig, $$"""
                apiVersion: v1
                kind: Config
                current-context: behind-proxy
                clusters:
                - name: behind-proxy
                  cluster:
                    server: http://kube-apiserver.invalid:6443
                    proxy-url: {{proxy.BaseAddress.ToString().TrimEnd('/')}}
                users:
                - name: proxy-user
                  user: {}
                contexts:
                - name: behind-proxy
                  context:
                    cluster: behind-proxy
                    user: proxy-user
                """);

            // When
            using var connection = KubernetesApiConnection.FromKubeconfig(kubeconfig, null, FakeCluster.FastRetry);

            // Then
            Assert.Equal(1, await CountConfigMapsAsync(connection));
            Assert.NotEmpty(proxy.Requests);
        }
    }

    public sealed class OverHttps : IDisposable
    {
        private readonly string _dir = Directory.CreateTempSubdirectory("gitops-tls-").FullName;
        private readonly TestCertificates _cluster = new("cluster-ca");

        public void Dispose()
        {
            _cluster.Dispose();
            Directory.Delete(_dir, recursive: true);
        }

        [Fact]
        public async Task Should_Trust_A_Server_Certificate_Issued_By_The_Clusters_Own_Authority()
        {
            // Given
            await using var server = await FakeKubernetesApiServer.StartAsync(new() { ServerCertificate = _cluster.Server(), BearerToken = "t" });
            server.Seed(FakeCluster.ConfigMap("prod-config"));
            var kubeconfig = server.WriteKubeconfig(Path.Combine(_dir, "config"), certificateAuthority: _cluster.Authority);

            // When
            using var connection = KubernetesApiConnection.FromKubeconfig(kubeconfig, "fake", FakeCluster.FastRetry);

            // Then
            Assert.Equal("https", server.BaseAddress.Scheme);
            Assert.Equal(1, await CountConfigMapsAsync(connection));
        }

        [Fact]
        public async Task Should_Refuse_A_Server_Whose_Certificate_Another_Authority_Issued()
        {
            // Given a kubeconfig naming a different cluster's authority
            using var other = new TestCertificates("other-ca");
            await using var server = await FakeKubernetesApiServer.StartAsync(new() { ServerCertificate = _cluster.Server(), BearerToken = "t" });
            var kubeconfig = server.WriteKubeconfig(Path.Combine(_dir, "config"), certificateAuthority: other.Authority);
            using var connection = KubernetesApiConnection.FromKubeconfig(kubeconfig, "fake", FakeCluster.FastRetry);

            // When
            var error = await Assert.ThrowsAsync<KubernetesApiException>(() => CountConfigMapsAsync(connection));

            // Then no request reached the server, and the token never left the client
            Assert.Equal(0, error.StatusCode);
            Assert.Contains("The SSL connection could not be established", error.Message);
            Assert.Empty(server.Requests);
        }

        [Fact]
        public async Task Should_Authenticate_With_A_Client_Certificate_From_The_Kubeconfig()
        {
            // Given a server that takes certificates its client authority issued, and tokens otherwise
            await using var server = await FakeKubernetesApiServer.StartAsync(new()
            {
                ServerCertificate = _cluster.Server(),
                ClientCertificateAuthority = _cluster.Authority,
                BearerToken = "t",
            });
            server.Seed(FakeCluster.ConfigMap("prod-config"));
            var withCertificate = server.WriteKubeconfig(Path.Combine(_dir, "admin"), certificateAuthority: _cluster.Authority,
                clientCertificate: _cluster.Client("admin"));
            var withoutCredentials = server.WriteKubeconfig(Path.Combine(_dir, "anonymous"), token: "wrong", certificateAuthority: _cluster.Authority);

            // When
            using var admin = KubernetesApiConnection.FromKubeconfig(withCertificate, "fake", FakeCluster.FastRetry);
            using var anonymous = KubernetesApiConnection.FromKubeconfig(withoutCredentials, "fake", FakeCluster.FastRetry);

            // Then
            Assert.Equal(1, await CountConfigMapsAsync(admin));
            var refused = await Assert.ThrowsAsync<KubernetesApiException>(() => CountConfigMapsAsync(anonymous));
            Assert.Equal(401, refused.StatusCode);
        }

        [Fact]
        public async Task Should_Check_The_Certificate_Against_The_Kubeconfigs_Tls_Server_Name()
        {
            // Given a server reached by its address, whose certificate names only kube-apiserver.internal
            await using var server = await FakeKubernetesApiServer.StartAsync(new() { ServerCertificate = _cluster.Server("kube-apiserver.internal"), BearerToken = "t" });
            server.Seed(FakeCluster.ConfigMap("prod-config"));
            var plain = server.WriteKubeconfig(Path.Combine(_dir, "plain"), certificateAuthority: _cluster.Authority);
            var named = Path.Combine(_dir, "named");
            File.WriteAllText(named, File.ReadAllText(plain).Replace("    server:", "    tls-server-name: kube-apiserver.internal\n    server:", StringComparison.Ordinal));

            // When
            using var withoutName = KubernetesApiConnection.FromKubeconfig(plain, "fake", FakeCluster.FastRetry);
            using var withName = KubernetesApiConnection.FromKubeconfig(named, "fake", FakeCluster.FastRetry);

            // Then the address alone does not match the certificate; the name from the kubeconfig does
            var refused = await Assert.ThrowsAsync<KubernetesApiException>(() => CountConfigMapsAsync(withoutName));
            Assert.Equal(0, refused.StatusCode);
            Assert.Equal(1, await CountConfigMapsAsync(withName));
        }

        [Fact]
        public async Task Should_Skip_Verification_Only_When_The_Kubeconfig_Says_So()
        {
            // Given
            await using var server = await FakeKubernetesApiServer.StartAsync(new() { ServerCertificate = _cluster.Server() });
            server.Seed(FakeCluster.ConfigMap("prod-config"));
            var path = server.WriteKubeconfig(Path.Combine(_dir, "config"), token: "any");
            File.WriteAllText(path, File.ReadAllText(path).Replace("    server:", "    insecure-skip-tls-verify: true\n    server:", StringComparison.Ordinal));

            // When
            using var connection = KubernetesApiConnection.FromKubeconfig(path, "fake", FakeCluster.FastRetry);

            // Then
            Assert.Equal(1, await CountConfigMapsAsync(connection));
        }
    }
}

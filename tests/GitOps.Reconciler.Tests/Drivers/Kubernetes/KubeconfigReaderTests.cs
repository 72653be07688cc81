using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using GitOps.Reconciler.Drivers.Kubernetes;
using k8s.Authentication;
using k8s.Exceptions;
using Xunit;

namespace GitOps.Reconciler.Tests.Drivers.Kubernetes;

public sealed class KubeconfigReaderTests
{
    public sealed class TheReadMethod : IDisposable
    {
        private readonly string _dir = Directory.CreateTempSubdirectory("gitops-kubeconfig-").FullName;

        public void Dispose() => Directory.Delete(_dir, recursive: true);

        private string Write(string relative, string text)
        {
            var path = Path.Combine(_dir, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, text);
            return path;
        }

        [Fact]
        public void Should_Read_Every_Key_The_Client_Uses_With_Paths_Relative_To_The_File()
        {
            // Given a kubeconfig as cloud CLIs write them: two clusters, an exec plugin, anchors, quoted values
            var path = Write("home/.kube/config", """
                apiVersion: v1
                kind: Config
                current-context: "prod"
                preferences: {}
                clusters:
                - name: prod
                  cluster:
                    server: https://prod.example.com:6443
                    certificate-authority: certs/ca.crt
                    tls-server-name: api.prod.internal
                    proxy-url: http://proxy:3128
                - name: lab
                  cluster: &lab
                    server: https://10.0.0.1:6443
                    insecure-skip-tls-verify: true
                users:
                - name: admin
                  user:
                    client-certificate: /etc/pki/admin.crt
                    client-key: ../keys/admin.key
                    client-certificate-data: Q0VSVA==
                    client-key-data: S0VZ
                    as: someone
                - name: cloud
                  user:
                    exec:
                      apiVersion: client.authentication.k8s.io/v1beta1
                      command: ./bin/credential-helper
                      args: [token, --cluster, prod]
                      env:
                      - name: AWS_PROFILE
                        value: ml
                      installHint: install the helper
                      provideClusterInfo: true
                      interactiveMode: Never
                - name: legacy
                  user:
                    auth-provider:
                      name: oidc
                      config:
                        id-token: abc
                        client-id: kubectl
                contexts:
                - name: prod
                  context:
                    cluster: prod
                    user: cloud
                    namespace: ml
                - name: lab
                  context: {cluster: lab, user: admin}
                """);
            var folder = Path.Combine(_dir, "home", ".kube");

            // When
            var config = KubeconfigReader.Read(path);

            // Then
            Assert.Equal(("v1", "Config", "prod"), (config.ApiVersion, config.Kind, config.CurrentContext));
            var prod = config.Clusters.Single(c => c.Name == "prod").ClusterEndpoint;
            Assert.Equal("https://prod.example.com:6443", prod.Server);
            Assert.Equal(Path.Combine(folder, "certs", "ca.crt"), prod.CertificateAuthority);
            Assert.Equal("api.prod.internal", prod.TlsServerName);
            Assert.False(prod.SkipTlsVerify);
            Assert.True(config.Clusters.Single(c => c.Name == "lab").ClusterEndpoint.SkipTlsVerify);

            var admin = config.Users.Single(u => u.Name == "admin").UserCredentials;
            Assert.Equal("/etc/pki/admin.crt", admin.ClientCertificate);
            Assert.Equal(Path.Combine(_dir, "home", "keys", "admin.key"), admin.ClientKey);
            Assert.Equal(("Q0VSVA==", "S0VZ", "someone"), (admin.ClientCertificateData, admin.ClientKeyData, admin.Impersonate));

            var exec = config.Users.Single(u => u.Name == "cloud").UserCredentials.ExternalExecution;
            Assert.Equal("client.authentication.k8s.io/v1beta1", exec.ApiVersion);
            Assert.Equal(Path.Combine(folder, "bin", "credential-helper"), exec.Command);
            Assert.Equal(["token", "--cluster", "prod"], exec.Arguments);
            Assert.Equal("ml", Assert.Single(exec.EnvironmentVariables)["value"]);
            Assert.True(exec.ProvideClusterInfo);

            var provider = config.Users.Single(u => u.Name == "legacy").UserCredentials.AuthProvider;
            Assert.Equal(("oidc", "abc"), (provider.Name, provider.Config["id-token"]));

            var lab = config.Contexts.Single(c => c.Name == "lab").ContextDetails;
            Assert.Equal(("lab", "admin", null), (lab.Cluster, lab.User, lab.Namespace));
            Assert.Equal("ml", config.Contexts.Single(c => c.Name == "prod").ContextDetails.Namespace);
        }

        [Fact]
        public void Should_Look_Up_A_Bare_Exec_Command_On_The_Path_And_Read_A_Token_File()
        {
            // Given
            Write("tokens/sa", "  the-token\n");
            var path = Write("config", """
                users:
                - name: plugin
                  user:
                    exec: {apiVersion: client.authentication.k8s.io/v1, command: gke-gcloud-auth-plugin}
                - name: file
                  user:
                    tokenFile: tokens/sa
                """);

            // When
            var config = KubeconfigReader.Read(path);

            // Then
            Assert.Equal("gke-gcloud-auth-plugin", config.Users.Single(u => u.Name == "plugin").UserCredentials.ExternalExecution.Command);
            Assert.Equal("the-token", config.Users.Single(u => u.Name == "file").UserCredentials.Token);
        }

        [Fact]
        public async Task Should_Read_A_Token_File_Again_As_It_Rotates()
        {
            // Given a user whose token is a file beside the kubeconfig (a projected service account token)
            var tokenPath = Write("tokens/sa", "rotated-token\n");
            var path = Write("config", """
                current-context: ci
                clusters:
                - name: ci
                  cluster: {server: https://ci.example.com}
                users:
                - name: ci
                  user: {tokenFile: tokens/sa}
                contexts:
                - name: ci
                  context: {cluster: ci, user: ci}
                """);

            // When
            var config = KubeconfigFiles.Load(path, null, _ => null);

            // Then the token is taken from the file through a provider that reads it again, not copied once
            var provider = Assert.IsType<TokenFileAuth>(config.TokenProvider);
            var header = await provider.GetAuthenticationHeaderAsync(CancellationToken.None);
            Assert.Equal(("Bearer", "rotated-token"), (header.Scheme, header.Parameter));
            Assert.Equal(tokenPath, KubeconfigReader.TokenFileOf(KubeconfigReader.Read(path).Users.Single().UserCredentials));
        }

        [Fact]
        public void Should_Resolve_Each_Files_Paths_Against_Its_Own_Folder_When_A_List_Is_Merged()
        {
            // Given a certificate authority beside the second file of a KUBECONFIG list only
            using var key = ECDsa.Create();
            using var ca = new CertificateRequest("CN=cluster-ca", key, HashAlgorithmName.SHA256)
                .CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
            Write("team/ca.crt", ca.ExportCertificatePem());
            var first = Write("personal/config", """
                clusters:
                - name: dev
                  cluster: {server: http://127.0.0.1:8080}
                contexts:
                - name: dev
                  context: {cluster: dev}
                """);
            var second = Write("team/config", """
                current-context: prod
                clusters:
                - name: prod
                  cluster:
                    server: https://prod.example.com:6443
                    certificate-authority: ca.crt
                users:
                - name: prod
                  user: {token: t}
                contexts:
                - name: prod
                  context: {cluster: prod, user: prod}
                """);
            var list = string.Join(Path.PathSeparator, first, second);

            // When
            var config = KubeconfigFiles.Load(null, null, name => name == KubeconfigFiles.Variable ? list : null);

            // Then
            Assert.Equal("prod", config.CurrentContext);
            Assert.Equal(ca.Thumbprint, Assert.Single(config.SslCaCerts).Thumbprint);
        }

        [Theory]
        [InlineData("clusters:\n- name: a\n  cluster: {server: [\n", "4:1", "not valid YAML")]
        [InlineData("apiVersion: v1\nclusters: prod\n", "2:11", "'clusters' must be a list")]
        [InlineData("clusters:\n- cluster: {server: https://a}\n", "2:3", "has no name")]
        [InlineData("clusters:\n- name: a\n  cluster:\n    server: https://a\n    insecure-skip-tls-verify: maybe\n", "5:31", "must be true or false")]
        [InlineData("users:\n- name: a\n  user:\n    token: [a, b]\n", "4:12", "'token' must be a single value")]
        [InlineData("clusters:\n- name: a\n  cluster:\n    server: https://a\n    proxy-url: ftp://proxy.example:21\n", "5:16", "proxy-url 'ftp://proxy.example:21' is not an http://, https:// or socks5:// URL")]
        public void Should_Say_Where_A_Malformed_File_Is_Wrong(string text, string where, string what)
        {
            // Given
            var path = Write("config", text);

            // When
            var error = Assert.Throws<KubeConfigException>(() => KubeconfigReader.Read(path));

            // Then
            Assert.StartsWith($"{path}:{where}", error.Message);
            Assert.Contains(what, error.Message);
        }

        [Fact]
        public void Should_Say_Which_File_Cannot_Be_Read()
        {
            // Given
            var path = Path.Combine(_dir, "missing");

            // When
            var error = Assert.Throws<KubeConfigException>(() => KubeconfigReader.Read(path));

            // Then
            Assert.StartsWith($"cannot read kubeconfig {path}", error.Message);
        }

        [Fact]
        public void Should_Read_A_Kubeconfig_Written_As_Json()
        {
            // Given a kubeconfig as scripts write it: JSON, every key quoted
            var path = Write("config.json", """
                {"apiVersion": "v1", "kind": "Config", "current-context": "ci",
                 "clusters": [{"name": "ci", "cluster": {"server": "https://ci.example.com", "insecure-skip-tls-verify": true}}],
                 "users": [{"name": "ci", "user": {"token": "abc"}}],
                 "contexts": [{"name": "ci", "context": {"cluster": "ci", "user": "ci", "namespace": "ml"}}]}
                """);

            // When
            var config = KubeconfigFiles.Load(path, null, _ => null);

            // Then
            Assert.Equal(("https://ci.example.com/", "abc", "ml", true), (config.Host.TrimEnd('/') + "/", config.AccessToken, config.Namespace, config.SkipTlsVerify));
        }

        [Fact]
        public void Should_Read_An_Empty_File_As_An_Empty_Configuration()
        {
            // Given
            var path = Write("config", "# nothing yet\n");

            // When
            var config = KubeconfigReader.Read(path);

            // Then
            Assert.Empty(config.Clusters);
            Assert.Null(config.CurrentContext);
        }
    }
}

using GitOps.Reconciler.Drivers.Kubernetes;
using Xunit;

namespace GitOps.Reconciler.Tests.Drivers.Kubernetes;

public sealed class KubeconfigFilesTests
{
    public sealed class TheLoadMethod : IDisposable
    {
        private readonly string _dir = Directory.CreateTempSubdirectory("gitops-kubeconfig-").FullName;

        public void Dispose() => Directory.Delete(_dir, recursive: true);

        private string Write(string name, string cluster, string server, string? currentContext)
        {
            var path = Path.Combine(_dir, name);
            File.WriteAllText(path, $"""
                apiVersion: v1
                kind: Config
                {(currentContext is null ? "" : $"current-context: {currentContext}")}
                clusters:
                - name: {cluster}
                  cluster:
                    server: {server}
                users:
                - name: {cluster}-user
                  user:
                    token: {cluster}-token
                contexts:
                - name: {cluster}
                  context:
                    cluster: {cluster}
                    user: {cluster}-user
                    namespace: {cluster}-ns
                """);
            return path;
        }

        private static Func<string, string?> Variables(string? kubeconfig) => name => name == KubeconfigFiles.Variable ? kubeconfig : null;

        [Fact]
        public void Should_Merge_Every_File_Of_A_KUBECONFIG_List_And_Take_The_First_Current_Context()
        {
            // Given two files, the first without a current-context, and a missing entry kubectl would skip
            var first = Write("first.yaml", "dev", "https://dev.example.com:6443", currentContext: null);
            var second = Write("second.yaml", "prod", "https://prod.example.com:6443", currentContext: "prod");
            var list = string.Join(Path.PathSeparator, first, Path.Combine(_dir, "missing.yaml"), second);

            // When
            var current = KubeconfigFiles.Load(null, null, Variables(list));
            var dev = KubeconfigFiles.Load(null, "dev", Variables(list));

            // Then
            Assert.Equal("https://prod.example.com:6443/", current.Host.TrimEnd('/') + "/");
            Assert.Equal("prod-ns", current.Namespace);
            Assert.Equal("https://dev.example.com:6443/", dev.Host.TrimEnd('/') + "/");
            Assert.Equal("dev-token", dev.AccessToken);
        }

        [Fact]
        public void Should_Prefer_The_Kubeconfig_Flag_Over_The_Variable()
        {
            // Given
            var flag = Write("flag.yaml", "flag", "https://flag.example.com:6443", currentContext: "flag");
            var variable = Write("variable.yaml", "variable", "https://variable.example.com:6443", currentContext: "variable");

            // When
            var files = KubeconfigFiles.Resolve(flag, Variables(variable));

            // Then
            Assert.Equal([flag], files);
        }

        [Fact]
        public void Should_Say_So_When_No_File_Of_The_List_Exists()
        {
            // Given
            var list = string.Join(Path.PathSeparator, Path.Combine(_dir, "a.yaml"), Path.Combine(_dir, "b.yaml"));

            // When
            var error = Assert.Throws<FileNotFoundException>(() => KubeconfigFiles.Resolve(null, Variables(list)));

            // Then
            Assert.Contains("none of the files in $KUBECONFIG exist", error.Message);
        }

        [Fact]
        public void Should_Fall_Back_To_The_Home_Kubeconfig_Without_Flag_Or_Variable()
        {
            // Given / When
            var files = KubeconfigFiles.Resolve(null, name => name == "HOME" ? "/home/someone" : null);

            // Then
            Assert.Equal([Path.Combine("/home/someone", ".kube", "config")], files);
        }
    }
}

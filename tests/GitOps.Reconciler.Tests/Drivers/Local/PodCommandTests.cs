using System.Text.Json.Nodes;
using GitOps.Reconciler.Drivers.Local;

namespace GitOps.Reconciler.Tests.Drivers.Local;

public sealed class PodCommandTests
{
    private static readonly StateFolder State = new("/state");
    private static readonly PodCommand Pods = new(new GitOpsExecutable("dotnet", ["/bin/gitops.dll"]), State);

    public sealed class TheForMethod
    {
        [Fact]
        public void Should_Run_The_Server_On_Loopback_At_Its_Port_And_A_Free_Grpc_Port_With_Mounts_And_The_Default_Store_Mapped_When_A_Serving_Container_Is_Given()
        {
            // Given a rendered server container and its init container
            var server = JsonNode.Parse("""
                {"name":"server","image":"gitops/server:0.1.0","command":["/app/gitops"],
                 "args":["serve","--model","/models/model.onnx","--name","fraud","--host","0.0.0.0","--port","8080","--grpc-port","8081"],
                 "volumeMounts":[{"name":"models","mountPath":"/models"}]}
                """)!.AsObject();
            var fetch = JsonNode.Parse("""
                {"name":"fetch-model","command":["/app/gitops"],
                 "args":["artifacts","fetch","--uri","file:///var/lib/gitops/artifacts/fraud/v1/model.onnx","--out","/models/model.onnx"],
                 "volumeMounts":[{"name":"models","mountPath":"/models"}],
                 "env":[{"name":"GITOPS_OUTPUT_DIR","value":"/models"}]}
                """)!.AsObject();

            // When
            var (serve, serveError) = Pods.For(server, "/state/pods/p", port: 41234);
            var (init, initError) = Pods.For(fetch, "/state/pods/p", port: null);

            // Then
            Assert.Null(serveError);
            Assert.Null(initError);
            Assert.Equal("dotnet", serve!.FileName);
            Assert.Equal(["/bin/gitops.dll", "serve", "--model", "/state/pods/p/volumes/models/model.onnx", "--name", "fraud", "--host", "127.0.0.1", "--port", "41234", "--grpc-port", "0"],
                serve.Arguments.ToArray());
            Assert.Equal("/state/pods/p", serve.WorkingDirectory);
            Assert.Equal(["/bin/gitops.dll", "artifacts", "fetch", "--uri", "file:///state/artifacts/fraud/v1/model.onnx", "--out", "/state/pods/p/volumes/models/model.onnx"],
                init!.Arguments.ToArray());
            Assert.Equal("/state/pods/p/volumes/models", init.Environment["GITOPS_OUTPUT_DIR"]);
        }

        [Fact]
        public void Should_Refuse_With_The_Reason_When_The_Container_Runs_Another_Program()
        {
            // Given a custom trainer image
            var custom = JsonNode.Parse("""{"name":"trainer","image":"registry.example.com/trainer:1","command":["python","-m","train"]}""")!.AsObject();

            // When
            var (command, error) = Pods.For(custom, "/state/pods/p", port: null);

            // Then
            Assert.Null(command);
            Assert.Contains("runs 'python' from image registry.example.com/trainer:1", error);
            Assert.Contains("only the gitops executable", error);
        }
    }

    public sealed class ThePrepareVolumesMethod : IDisposable
    {
        private readonly string _root = Directory.CreateTempSubdirectory("gitops-pod-volumes-").FullName;

        public void Dispose() => Directory.Delete(_root, recursive: true);

        private static JsonObject Pod(string volumes) => JsonNode.Parse($$"""{"containers":[{"name":"server"}],"volumes":[{{volumes}}]}""")!.AsObject();

        [Fact]
        public void Should_Copy_The_Secret_Key_To_Its_Path_Readable_Only_By_The_User_When_The_Secret_Is_On_This_Machine()
        {
            // Given the serving token in the state folder's secrets, as a Secret volume mounts it
            var secrets = Path.Combine(_root, "secrets");
            Directory.CreateDirectory(Path.Combine(secrets, "model-serving-token"));
            File.WriteAllText(Path.Combine(secrets, "model-serving-token", "api-key"), "s3cr3t\n");
            var pod = Pod("""{"name":"serving-token","secret":{"secretName":"model-serving-token","items":[{"key":"api-key","path":"token"}]}}""");
            var podFolder = Path.Combine(_root, "pods", "p");

            // When
            PodCommand.PrepareVolumes(pod, podFolder, _ => null, secrets);

            // Then
            var file = Path.Combine(PodCommand.VolumeFolder(podFolder, "serving-token"), "token");
            Assert.Equal("s3cr3t\n", File.ReadAllText(file));
            if (!OperatingSystem.IsWindows())
            {
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
            }
        }

        [Fact]
        public void Should_Name_The_File_To_Write_When_The_Secret_Is_Not_On_This_Machine()
        {
            // Given no secrets at all
            var secrets = Path.Combine(_root, "secrets");
            var pod = Pod("""{"name":"artifacts-token","secret":{"secretName":"artifact-store-token","items":[{"key":"token","path":"token"}]}}""");

            // When
            var error = Assert.Throws<FileNotFoundException>(() => PodCommand.PrepareVolumes(pod, Path.Combine(_root, "pods", "p"), _ => null, secrets));

            // Then
            Assert.Contains($"Secret 'artifact-store-token' has no key 'token' on this machine: write its value to {Path.Combine(secrets, "artifact-store-token", "token")}", error.Message);
        }
    }
}

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
        public void Should_Run_The_Server_On_Loopback_At_Its_Port_With_Mounts_And_The_Default_Store_Mapped_When_A_Serving_Container_Is_Given()
        {
            // Given a rendered server container and its init container
            var server = JsonNode.Parse("""
                {"name":"server","image":"gitops/server:0.1.0","command":["/app/gitops"],
                 "args":["serve","--model","/models/model.onnx","--name","fraud","--host","0.0.0.0","--port","8080"],
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
            Assert.Equal(["/bin/gitops.dll", "serve", "--model", "/state/pods/p/volumes/models/model.onnx", "--name", "fraud", "--host", "127.0.0.1", "--port", "41234"],
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
}

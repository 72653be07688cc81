using System.Security.Cryptography;
using System.Text;
using GitOps.Registry.Publishing;
using GitOps.Specs.Contracts;
using GitOps.Testing.Artifacts;
using GitOps.Testing.S3;
using GitOps.Training.Artifacts;

namespace GitOps.Training.Tests.Artifacts;

public sealed class ArtifactTransferTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("gitops-artifacts-tests-").FullName;
    private readonly HttpClient _http = new();

    public void Dispose()
    {
        _http.Dispose();
        Directory.Delete(_root, recursive: true);
    }

    private static string Sha(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    private string WriteOutputDirectory()
    {
        var dir = Path.Combine(_root, "output");
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "model.onnx"), "onnx bytes");
        File.WriteAllText(Path.Combine(dir, "metrics.json"), "{\"auc\":0.9}");
        File.WriteAllText(Path.Combine(dir, "lineage.json"), "{}");
        return dir;
    }

    public sealed class TheFetchAsyncMethod : IDisposable
    {
        private readonly ArtifactTransferTests _t = new();

        public void Dispose() => _t.Dispose();

        [Fact]
        public async Task Should_Copy_A_File_Uri_And_Return_Its_Sha256()
        {
            // Given
            var content = Encoding.UTF8.GetBytes("amount,is_fraud\n1,0\n");
            var source = Path.Combine(_t._root, "data.csv");
            File.WriteAllBytes(source, content);
            var target = Path.Combine(_t._root, "fetched", "data.csv");

            // When
            var outcome = await new ArtifactTransfer(_t._http).FetchAsync(new Uri(source).AbsoluteUri, target, Sha(content), CancellationToken.None);

            // Then
            Assert.True(outcome.Succeeded, outcome.Error);
            Assert.Equal(Sha(content), outcome.Sha256);
            Assert.Equal(content, File.ReadAllBytes(target));
            Assert.Single(Directory.GetFiles(Path.GetDirectoryName(target)!));
        }

        [Fact]
        public async Task Should_Copy_A_Plain_Path()
        {
            // Given
            var source = Path.Combine(_t._root, "model.onnx");
            File.WriteAllText(source, "model");
            var target = Path.Combine(_t._root, "models", "model.onnx");

            // When
            var outcome = await new ArtifactTransfer(_t._http).FetchAsync(source, target, null, CancellationToken.None);

            // Then
            Assert.True(outcome.Succeeded, outcome.Error);
            Assert.Equal("model", File.ReadAllText(target));
        }

        [Fact]
        public async Task Should_Fetch_Over_Http_Sending_The_Bearer_Token()
        {
            // Given
            using var server = new ArtifactHttpServer(token: "s3cret");
            var content = Encoding.UTF8.GetBytes("onnx bytes");
            server.Files["/store/fraud/abc/model.onnx"] = content;
            var target = Path.Combine(_t._root, "models", "model.onnx");

            // When
            var outcome = await new ArtifactTransfer(_t._http, "s3cret").FetchAsync(
                $"{server.BaseUri}/store/fraud/abc/model.onnx", target, Sha(content), CancellationToken.None);

            // Then
            Assert.True(outcome.Succeeded, outcome.Error);
            Assert.Equal(content, File.ReadAllBytes(target));
        }

        [Fact]
        public async Task Should_Send_The_Token_Only_To_The_Store_Origin_When_Scoped_To_A_Store()
        {
            // Given a store that wants the token and a data host on another port
            using var store = new ArtifactHttpServer(token: "s3cret");
            using var data = new ArtifactHttpServer();
            store.Files["/rows.csv"] = [1];
            data.Files["/rows.csv"] = [2];
            var transfer = new ArtifactTransfer(_t._http, "s3cret", tokenScope: TokenScope.Store($"{store.BaseUri}/models"));

            // When
            var fromStore = await transfer.FetchAsync($"{store.BaseUri}/rows.csv", Path.Combine(_t._root, "a.csv"), null, CancellationToken.None);
            var fromData = await transfer.FetchAsync($"{data.BaseUri}/rows.csv", Path.Combine(_t._root, "b.csv"), null, CancellationToken.None);

            // Then the store got the token and the data host did not
            Assert.True(fromStore.Succeeded, fromStore.Error);
            Assert.True(fromData.Succeeded, fromData.Error);
            Assert.Equal(["Bearer s3cret"], store.Authorizations);
            Assert.Equal([null], data.Authorizations);
        }

        [Fact]
        public async Task Should_Say_The_Token_Is_For_The_Store_Only_When_Another_Host_Asks_For_One()
        {
            // Given a data host that wants a token, outside the scope
            using var data = new ArtifactHttpServer(token: "s3cret");
            data.Files["/rows.csv"] = [2];
            var transfer = new ArtifactTransfer(_t._http, "s3cret", tokenScope: TokenScope.Store("https://store.example/models", "name the store with --store"));

            // When
            var outcome = await transfer.FetchAsync($"{data.BaseUri}/rows.csv", Path.Combine(_t._root, "b.csv"), null, CancellationToken.None);

            // Then
            Assert.False(outcome.Succeeded);
            Assert.Contains("HTTP 401", outcome.Error);
            Assert.Contains("the artifact store's token is sent to the artifact store only, and this host is not it; name the store with --store", outcome.Error);
            Assert.DoesNotContain("s3cret", outcome.Error);
            Assert.Equal([null], data.Authorizations);
        }

        [Fact]
        public async Task Should_Ask_For_A_Token_When_The_Store_Refuses_Access_Without_Printing_It()
        {
            // Given
            using var server = new ArtifactHttpServer(token: "s3cret");
            server.Files["/m/model.onnx"] = [1, 2, 3];

            // When
            var missing = await new ArtifactTransfer(_t._http).FetchAsync($"{server.BaseUri}/m/model.onnx", Path.Combine(_t._root, "a"), null, CancellationToken.None);
            var wrong = await new ArtifactTransfer(_t._http, "wrong-token").FetchAsync($"{server.BaseUri}/m/model.onnx", Path.Combine(_t._root, "b"), null, CancellationToken.None);

            // Then
            Assert.Equal(ExitCode.Usage, missing.ExitCode);
            Assert.Contains("GITOPS_ARTIFACTS_TOKEN", missing.Error);
            Assert.Contains("refused", wrong.Error);
            Assert.DoesNotContain("wrong-token", wrong.Error);
        }

        [Fact]
        public async Task Should_Fail_And_Leave_No_File_When_The_Sha256_Differs()
        {
            // Given
            using var server = new ArtifactHttpServer();
            server.Files["/data.csv"] = Encoding.UTF8.GetBytes("tampered");
            var target = Path.Combine(_t._root, "in", "data.csv");

            // When
            var outcome = await new ArtifactTransfer(_t._http).FetchAsync($"{server.BaseUri}/data.csv", target, new string('a', 64), CancellationToken.None);

            // Then
            Assert.False(outcome.Succeeded);
            Assert.Equal(ExitCode.Usage, outcome.ExitCode);
            Assert.Contains(new string('a', 64), outcome.Error);
            Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(target)!));
        }

        [Fact]
        public async Task Should_Say_The_Version_May_Not_Be_Trained_When_The_Store_Answers_404()
        {
            // Given
            using var server = new ArtifactHttpServer();
            var uri = $"{server.BaseUri}/store/fraud/0123456789ab/model.onnx";

            // When
            var outcome = await new ArtifactTransfer(_t._http).FetchAsync(uri, Path.Combine(_t._root, "model.onnx"), null, CancellationToken.None);

            // Then
            Assert.Equal(ExitCode.Findings, outcome.ExitCode);
            Assert.Equal($"no artifact at '{uri}': was the version trained?", outcome.Error);
            Assert.False(File.Exists(Path.Combine(_t._root, "model.onnx")));
        }

        [Fact]
        public async Task Should_Say_The_Version_May_Not_Be_Trained_When_A_File_Is_Missing()
        {
            // When
            var outcome = await new ArtifactTransfer(_t._http).FetchAsync(Path.Combine(_t._root, "none", "model.onnx"), Path.Combine(_t._root, "model.onnx"), null, CancellationToken.None);

            // Then
            Assert.Equal(ExitCode.Findings, outcome.ExitCode);
            Assert.Contains("was the version trained?", outcome.Error);
        }

        [Theory]
        [InlineData("az://ml-artifacts/fraud/model.onnx", "az")]
        [InlineData("gs://ml-artifacts/fraud/model.onnx", "gs")]
        public async Task Should_Refuse_Unsupported_Schemes_And_Say_What_To_Use(string uri, string scheme)
        {
            // When
            var outcome = await new ArtifactTransfer(_t._http).FetchAsync(uri, Path.Combine(_t._root, "model.onnx"), null, CancellationToken.None);

            // Then
            Assert.Equal(ExitCode.Usage, outcome.ExitCode);
            Assert.Contains($"scheme '{scheme}' is not supported", outcome.Error);
            Assert.Contains("https://", outcome.Error);
            Assert.Contains("mount", outcome.Error);
        }
    }

    public sealed class ThePushAsyncMethod(StoreKinds stores) : IDisposable, IClassFixture<StoreKinds>
    {
        private readonly ArtifactTransferTests _t = new();

        public void Dispose() => _t.Dispose();

        [Fact]
        public async Task Should_Copy_Every_File_Into_A_File_Store()
        {
            // Given
            var output = _t.WriteOutputDirectory();
            var store = Path.Combine(_t._root, "store");

            // When
            var outcome = await new ArtifactTransfer(_t._http).PushAsync(output, new Uri(store).AbsoluteUri + "/fraud/abc", CancellationToken.None);

            // Then
            Assert.True(outcome.Succeeded, outcome.Error);
            Assert.Equal(["lineage.json", "metrics.json", "model.onnx", "publish.json"],
                Directory.GetFiles(Path.Combine(store, "fraud", "abc")).Select(Path.GetFileName).Order(StringComparer.Ordinal));
            Assert.Equal("onnx bytes", File.ReadAllText(Path.Combine(store, "fraud", "abc", "model.onnx")));
            Assert.EndsWith("model.onnx", outcome.Written[^1]);
        }

        [Fact]
        public async Task Should_Publish_And_Fetch_Back_Through_The_S3_Api_When_The_Uri_Is_S3()
        {
            // Given an S3-compatible endpoint (path-style) named by the variables a pod gets, and credentials for the
            // AWS standard chain in the process's environment
            using var server = new ArtifactHttpServer();
            S3rverProcess.UseKeysInEnvironment();
            var variables = new Dictionary<string, string>
            {
                [TrainingContract.S3Endpoint] = server.BaseUri,
                [TrainingContract.S3Region] = "eu-west-1",
                [TrainingContract.S3ForcePathStyle] = "true",
            };
            var transfer = new ArtifactTransfer(_t._http, null, variables.GetValueOrDefault);
            var output = _t.WriteOutputDirectory();

            // When
            var pushed = await transfer.PushAsync(output, "s3://ml-artifacts/prod/fraud/abc", CancellationToken.None);
            var fetched = await transfer.FetchAsync("s3://ml-artifacts/prod/fraud/abc/model.onnx", Path.Combine(_t._root, "fetched.onnx"),
                Sha(Encoding.UTF8.GetBytes("onnx bytes")), CancellationToken.None);

            // Then
            Assert.True(pushed.Succeeded, pushed.Error);
            Assert.Equal(["publish.json", "lineage.json", "metrics.json", "model.onnx"],
                server.PutOrder.Where(p => !p.Contains("/attempts/", StringComparison.Ordinal)).Select(p => p["/ml-artifacts/prod/fraud/abc/".Length..]));
            Assert.True(fetched.Succeeded, fetched.Error);
            Assert.Equal("onnx bytes", File.ReadAllText(Path.Combine(_t._root, "fetched.onnx")));
        }

        [Fact]
        public async Task Should_Put_Every_File_Over_Http_With_The_Model_Last()
        {
            // Given
            using var server = new ArtifactHttpServer(token: "t0ken");
            var output = _t.WriteOutputDirectory();

            // When
            var outcome = await new ArtifactTransfer(_t._http, "t0ken").PushAsync(output, $"{server.BaseUri}/store/fraud/abc/", CancellationToken.None);

            // Then
            Assert.True(outcome.Succeeded, outcome.Error);
            var order = server.PutOrder.Select(p => p["/store/fraud/abc/".Length..]).ToList();
            Assert.Equal(3, order.TakeWhile(p => p.StartsWith("attempts/", StringComparison.Ordinal)).Count());
            Assert.Equal(["publish.json", "lineage.json", "metrics.json", "model.onnx"], order.Skip(3));
            Assert.Equal("{\"auc\":0.9}", Encoding.UTF8.GetString(server.Files["/store/fraud/abc/metrics.json"]));
        }

        [Fact]
        public async Task Should_Publish_What_A_Later_Fetch_Reads_Back()
        {
            // Given
            using var server = new ArtifactHttpServer();
            var output = _t.WriteOutputDirectory();
            var store = new ArtifactTransfer(_t._http);
            await store.PushAsync(output, $"{server.BaseUri}/fraud/abc", CancellationToken.None);

            // When
            var outcome = await store.FetchAsync($"{server.BaseUri}/fraud/abc/model.onnx", Path.Combine(_t._root, "models", "model.onnx"),
                Sha(File.ReadAllBytes(Path.Combine(output, "model.onnx"))), CancellationToken.None);

            // Then
            Assert.True(outcome.Succeeded, outcome.Error);
            Assert.Equal("onnx bytes", File.ReadAllText(Path.Combine(_t._root, "models", "model.onnx")));
        }

        [Theory]
        [MemberData(nameof(StoreKinds.All), MemberType = typeof(StoreKinds))]
        public async Task Should_Accept_Republishing_The_Same_Bytes_When_A_Job_Is_Retried(string kind)
        {
            // Given
            var output = _t.WriteOutputDirectory();
            await Transfer().PushAsync(output, Uri(kind), CancellationToken.None);
            var before = await stores.KeysAsync(kind, _folder);

            // When
            var again = await Transfer().PushAsync(output, Uri(kind), CancellationToken.None);

            // Then nothing more is written: no other attempt was staged
            Assert.True(again.Succeeded, again.Error);
            Assert.Equal(PublishKind.AlreadyPublished, again.Publish);
            Assert.Equal(7, before.Count);
            Assert.Equal(before, await stores.KeysAsync(kind, _folder));
        }

        [Theory]
        [MemberData(nameof(StoreKinds.All), MemberType = typeof(StoreKinds))]
        public async Task Should_Refuse_To_Overwrite_A_Published_Model_When_The_Bytes_Differ(string kind)
        {
            // Given
            var output = _t.WriteOutputDirectory();
            await Transfer().PushAsync(output, Uri(kind), CancellationToken.None);
            File.WriteAllText(Path.Combine(output, "model.onnx"), "other onnx bytes");

            // When
            var outcome = await Transfer().PushAsync(output, Uri(kind), CancellationToken.None);

            // Then
            Assert.False(outcome.Succeeded);
            Assert.Equal(ExitCode.Findings, outcome.ExitCode);
            Assert.Contains("write-once", outcome.Error);
            Assert.Equal("onnx bytes", await StoredAsync(kind, "model.onnx"));
        }

        [Theory]
        [MemberData(nameof(StoreKinds.All), MemberType = typeof(StoreKinds))]
        public async Task Should_Ignore_What_An_Attempt_Left_When_It_Died_Before_Committing(string kind)
        {
            // Given an attempt that staged its JSON files with other measured facts and died before publish.json
            var output = _t.WriteOutputDirectory();
            await stores.WriteAsync(kind, $"{_folder}/attempts/dead/metrics.json", Encoding.UTF8.GetBytes("{\"auc\": 0.5}"));

            // When the retry publishes its own files
            var outcome = await Transfer().PushAsync(output, Uri(kind), CancellationToken.None);

            // Then the version is complete with the retry's files, and the leftover was neither read nor touched
            Assert.True(outcome.Succeeded, outcome.Error);
            Assert.Equal(PublishKind.Published, outcome.Publish);
            Assert.Equal("{\"auc\":0.9}", await StoredAsync(kind, "metrics.json"));
            Assert.Equal("{\"auc\": 0.5}", await StoredAsync(kind, "attempts/dead/metrics.json"));
        }

        [Theory]
        [MemberData(nameof(StoreKinds.All), MemberType = typeof(StoreKinds))]
        public async Task Should_Complete_A_Committed_Version_From_Its_Staged_Files_When_The_Attempt_Died_Before_The_Model(string kind)
        {
            // Given a committed version whose attempt died after publish.json and the JSON files, before model.onnx
            var output = _t.WriteOutputDirectory();
            await Transfer().PushAsync(output, Uri(kind), CancellationToken.None);
            await stores.DeleteAsync(kind, $"{_folder}/model.onnx");

            // When a retried Job asks for the published version before training
            var found = await Transfer().FindPublishedAsync(Uri(kind), CancellationToken.None);

            // Then the committed model is completed from its staged copy, byte for byte
            Assert.NotNull(found);
            Assert.True(found.Succeeded, found.Error);
            Assert.Equal(Sha(Encoding.UTF8.GetBytes("onnx bytes")), found.Sha256);
            Assert.Equal("onnx bytes", await StoredAsync(kind, "model.onnx"));
        }

        [Theory]
        [MemberData(nameof(StoreKinds.All), MemberType = typeof(StoreKinds))]
        public async Task Should_Refuse_Loudly_When_A_Published_File_Was_Changed_In_The_Store(string kind)
        {
            // Given a published version whose metrics.json was edited in the store afterwards
            var output = _t.WriteOutputDirectory();
            await Transfer().PushAsync(output, Uri(kind), CancellationToken.None);
            await stores.WriteAsync(kind, $"{_folder}/metrics.json", Encoding.UTF8.GetBytes("{\"auc\":0.99}"));

            // When
            var found = await Transfer().FindPublishedAsync(Uri(kind), CancellationToken.None);

            // Then
            Assert.NotNull(found);
            Assert.False(found.Succeeded);
            Assert.Contains("publish.json committed", found.Error);
            Assert.Contains("metrics.json", found.Error);
        }

        [Fact]
        public async Task Should_Find_Nothing_When_The_Version_Was_Never_Published()
        {
            // Given a file store whose version folder does not exist yet
            var uri = new Uri(Path.Combine(_t._root, "store", "fraud", "abc")).AbsoluteUri;

            // When
            var found = await new ArtifactTransfer(_t._http).FindPublishedAsync(uri, CancellationToken.None);

            // Then
            Assert.Null(found);
        }

        /// <summary>A publish/retry case's own folder in the shared stores.</summary>
        private readonly string _folder = $"t-{Guid.NewGuid():N}/fraud/abc";

        private ArtifactTransfer Transfer() => new(_t._http, null, stores.Variables);

        private string Uri(string kind) => stores.Uri(kind, _folder);

        private async Task<string?> StoredAsync(string kind, string file) =>
            await stores.ReadAsync(kind, $"{_folder}/{file}") is { } bytes ? Encoding.UTF8.GetString(bytes) : null;

        [Fact]
        public async Task Should_Refuse_Unsupported_Schemes()
        {
            // Given
            var output = _t.WriteOutputDirectory();

            // When
            var outcome = await new ArtifactTransfer(_t._http).PushAsync(output, "gs://bucket/fraud/abc", CancellationToken.None);

            // Then
            Assert.Equal(ExitCode.Usage, outcome.ExitCode);
            Assert.Contains("scheme 'gs' is not supported", outcome.Error);
        }

        [Fact]
        public async Task Should_Report_A_Missing_Source_Directory()
        {
            // When
            var outcome = await new ArtifactTransfer(_t._http).PushAsync(Path.Combine(_t._root, "nope"), Path.Combine(_t._root, "store"), CancellationToken.None);

            // Then
            Assert.Equal(ExitCode.Usage, outcome.ExitCode);
            Assert.Contains("does not exist", outcome.Error);
        }
    }
}

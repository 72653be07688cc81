using System.Net;
using System.Security.Cryptography;
using System.Text;
using Amazon.Runtime;
using Amazon.S3;
using GitOps.Registry.Stores;
using GitOps.Testing.Artifacts;
using GitOps.Testing.S3;

namespace GitOps.Registry.Tests.Stores;

public sealed class S3ArtifactStoreTests
{
    public sealed class AgainstS3rver(S3ServerFixture s3) : IClassFixture<S3ServerFixture>
    {
        private readonly string _prefix = $"env-{Guid.NewGuid():N}";

        [Fact]
        public async Task Should_Read_Back_The_Exact_Bytes_When_A_Binary_Key_Is_Created()
        {
            // Given a body large enough that a chunk-encoded upload would have been split and framed
            var store = s3.Open(_prefix);
            var bytes = RandomNumberGenerator.GetBytes(300_000);

            // When
            var created = await store.CreateAsync("fraud/9a75b5701b77/model.onnx", new MemoryStream(bytes), "application/octet-stream", CancellationToken.None);
            await using var read = await store.OpenReadAsync("fraud/9a75b5701b77/model.onnx", CancellationToken.None);
            using var copy = new MemoryStream();
            await read!.CopyToAsync(copy);

            // Then
            Assert.Equal(CreateResult.Created, created);
            Assert.Equal(SHA256.HashData(bytes), SHA256.HashData(copy.ToArray()));
            Assert.True(await store.ExistsAsync("fraud/9a75b5701b77/model.onnx", CancellationToken.None));
            Assert.Equal($"s3://{S3ServerFixture.Bucket}/{_prefix}/fraud/9a75b5701b77/model.onnx", store.Describe("fraud/9a75b5701b77/model.onnx"));
        }

        [Fact]
        public async Task Should_Keep_The_First_Content_When_A_Key_Is_Created_Twice()
        {
            // Given
            var store = s3.Open(_prefix);
            await store.CreateAsync("registry/fraud/v1.json", Body("first"), "application/json", CancellationToken.None);

            // When
            var second = await store.CreateAsync("registry/fraud/v1.json", Body("second"), "application/json", CancellationToken.None);

            // Then
            Assert.Equal(CreateResult.AlreadyExists, second);
            Assert.Equal("first", await TextAsync(store, "registry/fraud/v1.json"));
        }

        [Fact]
        public async Task Should_Answer_Absent_When_The_Key_Does_Not_Exist()
        {
            // Given
            var store = s3.Open(_prefix);

            // When
            var read = await store.OpenReadAsync("fraud/none/model.onnx", CancellationToken.None);
            var exists = await store.ExistsAsync("fraud/none/model.onnx", CancellationToken.None);

            // Then
            Assert.Null(read);
            Assert.False(exists);
        }

        [Fact]
        public async Task Should_Keep_Records_Create_Only_When_The_Registry_Lives_In_S3()
        {
            // Given
            var registry = new ModelRegistry(s3.Open(_prefix));
            await registry.RecordAsync(StoreFixture.Record(auc: 0.9), CancellationToken.None);

            // When
            var second = await registry.RecordAsync(StoreFixture.Record(auc: 0.5), CancellationToken.None);

            // Then
            Assert.False(second.Written);
            Assert.Equal(0.9, (await registry.ReadAsync("fraud", "9a75b5701b77", CancellationToken.None))!.Metrics["auc"]);
            Assert.Equal(["fraud"], (await registry.ModelsAsync(CancellationToken.None)).AsEnumerable());
            Assert.Single(await registry.VersionsAsync("fraud", CancellationToken.None));
        }

        [Fact]
        public async Task Should_Name_The_Bucket_When_It_Does_Not_Exist()
        {
            // Given
            var (store, _) = ArtifactStores.Open("s3://no-such-bucket/prod", new HttpClient(), null, s3.Variables);

            // When
            var error = await Assert.ThrowsAsync<ArtifactStoreException>(() => store!.CreateAsync("a.json", Body("{}"), "application/json", CancellationToken.None));

            // Then
            Assert.Contains("bucket 'no-such-bucket' does not exist", error.Message);
        }

        [Fact]
        public async Task Should_Say_The_Credentials_Were_Refused_When_The_Key_Is_Unknown()
        {
            // Given a client whose credentials the server does not know
            using var client = new AmazonS3Client(new BasicAWSCredentials("UNKNOWN", "UNKNOWN"),
                new AmazonS3Config { ServiceURL = s3.Server.Endpoint.ToString(), ForcePathStyle = true, AuthenticationRegion = "us-east-1" });
            using var store = new S3ArtifactStore(client, new S3Location(S3ServerFixture.Bucket, _prefix));

            // When
            var error = await Assert.ThrowsAsync<ArtifactStoreException>(() => store.OpenReadAsync("a.json", CancellationToken.None));

            // Then
            Assert.Contains("S3 refused the credentials", error.Message);
            Assert.Contains("AWS standard chain", error.Message);
        }
    }

    public sealed class AgainstAServerHonouringConditionalPuts : IDisposable
    {
        private readonly ArtifactHttpServer _server = new();

        public AgainstAServerHonouringConditionalPuts() => S3rverProcess.UseKeysInEnvironment();

        public void Dispose() => _server.Dispose();

        [Fact]
        public async Task Should_Let_Exactly_One_Writer_Win_When_Writers_Race_For_A_Key()
        {
            // Given eight reconcilers, each with its own client, racing to record the same version
            var variables = Variables(_server.BaseUri);
            var stores = Enumerable.Range(0, 8).Select(_ => ArtifactStores.Open("s3://ml-artifacts/prod", new HttpClient(), null, variables).Store!).ToList();

            // When
            var results = await Task.WhenAll(stores.Select((store, i) =>
                store.CreateAsync("registry/fraud/v1.json", Body($"writer {i}"), "application/json", CancellationToken.None)));

            // Then
            Assert.Single(results, r => r == CreateResult.Created);
            var winner = results.ToList().IndexOf(CreateResult.Created);
            Assert.Equal($"writer {winner}", Encoding.UTF8.GetString(_server.Files["/ml-artifacts/prod/registry/fraud/v1.json"]));
        }

        [Fact]
        public async Task Should_Answer_Already_Exists_When_The_Server_Refuses_The_Conditional_Put()
        {
            // Given a key written behind the store's back after its existence check would have passed
            var (store, _) = ArtifactStores.Open("s3://ml-artifacts/prod", new HttpClient(), null, Variables(_server.BaseUri));
            _server.Files["/ml-artifacts/prod/a.json"] = Encoding.UTF8.GetBytes("theirs");

            // When
            var result = await store!.CreateAsync("a.json", Body("ours"), "application/json", CancellationToken.None);

            // Then
            Assert.Equal(CreateResult.AlreadyExists, result);
            Assert.Equal("theirs", Encoding.UTF8.GetString(_server.Files["/ml-artifacts/prod/a.json"]));
        }

        [Fact]
        public async Task Should_Report_A_Store_Fault_When_The_Server_Is_Down()
        {
            // Given
            var (store, _) = ArtifactStores.Open("s3://ml-artifacts/prod", new HttpClient(), null, Variables(_server.BaseUri));
            _server.Down = true;

            // When
            var error = await Assert.ThrowsAsync<ArtifactStoreException>(() => store!.ExistsAsync("a.json", CancellationToken.None));

            // Then
            Assert.Contains("s3://ml-artifacts/prod/a.json", error.Message);
            Assert.Contains(((int)HttpStatusCode.ServiceUnavailable).ToString(System.Globalization.CultureInfo.InvariantCulture), error.Message);
        }

        private static Func<string, string?> Variables(string endpoint) => name => name switch
        {
            S3Options.EndpointVariable => endpoint,
            S3Options.PathStyleVariable => "true",
            _ => null,
        };
    }

    public sealed class TheOptions
    {
        [Fact]
        public void Should_Read_Region_Endpoint_And_Path_Style_From_The_Standard_Variables()
        {
            // Given
            var variables = new Dictionary<string, string> { ["AWS_DEFAULT_REGION"] = "eu-west-1", ["AWS_ENDPOINT_URL"] = "https://minio.storage:9000", [S3Options.PathStyleVariable] = "True" };

            // When
            var (options, error) = S3Options.FromVariables(variables.GetValueOrDefault);

            // Then
            Assert.Null(error);
            Assert.Equal(new S3Options { Region = "eu-west-1", Endpoint = new Uri("https://minio.storage:9000"), ForcePathStyle = true }, options);
        }

        [Theory]
        [InlineData(S3Options.EndpointVariable, "minio:9000", "not an http:// or https:// URL")]
        [InlineData(S3Options.PathStyleVariable, "yes", "set it to true or false")]
        public void Should_Say_Which_Variable_Is_Wrong_When_It_Cannot_Be_Read(string variable, string value, string expected)
        {
            // When
            var (options, error) = S3Options.FromVariables(name => name == variable ? value : null);

            // Then
            Assert.Null(options);
            Assert.Contains(variable, error);
            Assert.Contains(expected, error);
        }

        [Theory]
        [InlineData("s3://bucket", "bucket", "")]
        [InlineData("s3://bucket/prod/", "bucket", "prod")]
        [InlineData("S3://bucket/a/b", "bucket", "a/b")]
        public void Should_Split_Bucket_And_Prefix_When_The_Uri_Is_Parsed(string uri, string bucket, string prefix)
        {
            // When
            var location = ArtifactLocation.Parse(uri);

            // Then
            Assert.Equal(new S3Location(bucket, prefix), location.S3);
        }
    }

    private static MemoryStream Body(string text) => new(Encoding.UTF8.GetBytes(text));

    private static async Task<string> TextAsync(IArtifactStore store, string key)
    {
        await using var stream = await store.OpenReadAsync(key, CancellationToken.None);
        using var reader = new StreamReader(stream!);
        return await reader.ReadToEndAsync();
    }
}

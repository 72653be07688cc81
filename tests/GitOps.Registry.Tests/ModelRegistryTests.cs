using System.Security.Cryptography;
using System.Text;
using GitOps.Registry.Records;
using GitOps.Registry.Stores;

namespace GitOps.Registry.Tests;

public sealed class ModelRegistryTests
{
    public sealed class TheRecordAsyncMethod : IDisposable
    {
        private readonly StoreFixture _f = new();

        public void Dispose() => _f.Dispose();

        [Theory]
        [InlineData(StoreFixture.File)]
        [InlineData(StoreFixture.Http)]
        public async Task Should_Read_Back_What_Was_Recorded_When_The_Version_Is_New(string kind)
        {
            // Given
            var registry = new ModelRegistry(_f.Open(kind));
            var record = StoreFixture.Record();

            // When
            var write = await registry.RecordAsync(record, CancellationToken.None);
            var read = await registry.ReadAsync("fraud", record.Version, CancellationToken.None);

            // Then
            Assert.True(write.Written);
            Assert.NotNull(read);
            Assert.Equal(RegistryJson.Serialize(record), RegistryJson.Serialize(read));
            Assert.Equal(["fraud"], (await registry.ModelsAsync(CancellationToken.None)).AsEnumerable());
            Assert.Equal([record.Version], (await registry.VersionsAsync("fraud", CancellationToken.None)).Select(v => v.Version));
        }

        [Theory]
        [InlineData(StoreFixture.File)]
        [InlineData(StoreFixture.Http)]
        public async Task Should_Keep_The_First_Record_When_A_Version_Is_Recorded_Twice(string kind)
        {
            // Given
            var registry = new ModelRegistry(_f.Open(kind));
            await registry.RecordAsync(StoreFixture.Record(auc: 0.9), CancellationToken.None);

            // When
            var second = await registry.RecordAsync(StoreFixture.Record(auc: 0.5), CancellationToken.None);

            // Then
            Assert.False(second.Written);
            Assert.Equal(0.9, second.Record.Metrics["auc"]);
            Assert.Equal(0.9, (await registry.ReadAsync("fraud", "9a75b5701b77", CancellationToken.None))!.Metrics["auc"]);
            Assert.Single(await registry.VersionsAsync("fraud", CancellationToken.None));
        }

        [Theory]
        [InlineData(StoreFixture.File)]
        [InlineData(StoreFixture.Http)]
        public async Task Should_Let_Exactly_One_Writer_Win_When_Writers_Race_For_The_Same_Version(string kind)
        {
            // Given: eight reconcilers, each with its own evaluation of the same version
            var writers = Enumerable.Range(0, 8)
                .Select(i => (Registry: new ModelRegistry(_f.Open(kind)), Record: StoreFixture.Record(auc: 0.80 + i / 100.0)))
                .ToList();

            // When
            var writes = await Task.WhenAll(writers.Select(w => Task.Run(() => w.Registry.RecordAsync(w.Record, CancellationToken.None))));

            // Then
            var winner = Assert.Single(writes, w => w.Written);
            Assert.All(writes, w => Assert.Equal(winner.Record.Metrics["auc"], w.Record.Metrics["auc"]));
            var stored = await writers[0].Registry.ReadAsync("fraud", "9a75b5701b77", CancellationToken.None);
            Assert.Equal(winner.Record.Metrics["auc"], stored!.Metrics["auc"]);
            Assert.Single(await writers[0].Registry.VersionsAsync("fraud", CancellationToken.None));
        }

        [Fact]
        public async Task Should_Throw_A_Store_Fault_When_The_Store_Is_Down()
        {
            // Given
            _f.Server.Down = true;
            var registry = new ModelRegistry(_f.Open(StoreFixture.Http));

            // When
            var fault = await Assert.ThrowsAsync<ArtifactStoreException>(() => registry.RecordAsync(StoreFixture.Record(), CancellationToken.None));

            // Then
            Assert.Contains("503", fault.Message);
            Assert.Contains("/store/registry/fraud/9a75b5701b77.json", fault.Message);
        }

        [Fact]
        public async Task Should_Name_The_File_When_A_Record_Is_Damaged()
        {
            // Given
            var store = _f.Open(StoreFixture.File);
            await store.CreateAsync(RegistryLayout.Record("fraud", "9a75b5701b77"), new MemoryStream("{not json"u8.ToArray()), "application/json", CancellationToken.None);

            // When
            var fault = await Assert.ThrowsAsync<RegistryDataException>(() => new ModelRegistry(store).ReadAsync("fraud", "9a75b5701b77", CancellationToken.None));

            // Then
            Assert.Contains(Path.Combine("registry", "fraud", "9a75b5701b77.json"), fault.Message);
            Assert.Contains("not a valid model version record", fault.Message);
        }
    }

    public sealed class TheReadMethods : IDisposable
    {
        private readonly StoreFixture _f = new();

        public void Dispose() => _f.Dispose();

        [Theory]
        [InlineData("{}", "required field(s) missing: 'model'")]
        [InlineData("""{"model":null}""", "a required field is null (at $.model, line 1, column 14)")]
        [InlineData("garbage", "'g' is an invalid start of a value (line 1, column 1)")]
        [InlineData("[]", "a value has the wrong JSON type")]
        public async Task Should_Name_The_Entry_File_When_A_Model_Index_Entry_Is_Damaged(string entry, string reason)
        {
            // Given
            var store = _f.Open(StoreFixture.File);
            await store.CreateAsync($"{RegistryLayout.ModelIndex}/00000001.json", new MemoryStream(Encoding.UTF8.GetBytes(entry)), "application/json", CancellationToken.None);

            // When
            var fault = await Assert.ThrowsAsync<RegistryDataException>(() => new ModelRegistry(store).ModelsAsync(CancellationToken.None));

            // Then
            Assert.Contains($"'{store.Describe("registry/_models/00000001.json")}' is not a valid model index entry: {reason}", fault.Message);
            Assert.Contains("restore this one from a backup", fault.Message);
            Assert.DoesNotContain("LineNumber", fault.Message);
        }

        [Fact]
        public async Task Should_Name_The_Missing_Field_When_A_Record_Lacks_A_Nested_Value()
        {
            // Given a record whose source lineage has no commit
            var store = _f.Open(StoreFixture.File);
            var json = Encoding.UTF8.GetString(RegistryJson.Serialize(StoreFixture.Record())).Replace("\"commit\"", "\"committed\"", StringComparison.Ordinal);
            await store.CreateAsync(RegistryLayout.Record("fraud", "9a75b5701b77"), new MemoryStream(Encoding.UTF8.GetBytes(json)), "application/json", CancellationToken.None);

            // When
            var fault = await Assert.ThrowsAsync<RegistryDataException>(() => new ModelRegistry(store).ReadAsync("fraud", "9a75b5701b77", CancellationToken.None));

            // Then
            Assert.Contains("is not a valid model version record: required field(s) missing: 'commit'", fault.Message);
        }

        [Theory]
        [InlineData(StoreFixture.File)]
        [InlineData(StoreFixture.Http)]
        public async Task Should_Read_Back_A_Record_Whose_Optional_Values_Are_Absent(string kind)
        {
            // Given a record without champion or trial, whose nulls are left out of the file
            var registry = new ModelRegistry(_f.Open(kind));
            var record = StoreFixture.Record();
            await registry.RecordAsync(record, CancellationToken.None);

            // When
            var read = await registry.ReadAsync("fraud", record.Version, CancellationToken.None);

            // Then
            Assert.Null(read!.Gates.Champion);
            Assert.Equal(record.Gates.Rules.AsEnumerable(), read.Gates.Rules.AsEnumerable());
            Assert.Single(await registry.VersionsAsync("fraud", CancellationToken.None));
        }
    }

    public sealed class TheEventsAsyncMethod : IDisposable
    {
        private readonly StoreFixture _f = new();

        public void Dispose() => _f.Dispose();

        private static RegistryEvent Event(string type, string version, int minute) => new()
        {
            Type = type,
            Model = "fraud",
            Environment = "prod",
            Version = version,
            At = new DateTimeOffset(2026, 11, 30, 7, minute, 0, TimeSpan.Zero),
            By = "reconciler",
            Reason = $"{type} {version}",
        };

        [Theory]
        [InlineData(StoreFixture.File)]
        [InlineData(StoreFixture.Http)]
        public async Task Should_Return_Events_In_Append_Order(string kind)
        {
            // Given
            var registry = new ModelRegistry(_f.Open(kind));

            // When
            await registry.AppendEventAsync(Event(RegistryEventTypes.Deployed, "a", 1), CancellationToken.None);
            await registry.AppendEventAsync(Event(RegistryEventTypes.Promoted, "b", 2), CancellationToken.None);
            await registry.AppendEventAsync(Event(RegistryEventTypes.RolledBack, "b", 3), CancellationToken.None);

            // Then
            var events = await registry.EventsAsync("fraud", "prod", CancellationToken.None);
            Assert.Equal(["deployed a", "promoted b", "rolledBack b"], events.Select(e => e.Reason));
            Assert.Empty(await registry.EventsAsync("fraud", "staging", CancellationToken.None));
        }

        [Theory]
        [InlineData(StoreFixture.File)]
        [InlineData(StoreFixture.Http)]
        public async Task Should_Keep_Every_Event_When_Writers_Append_At_Once(string kind)
        {
            // Given
            var registry = new ModelRegistry(_f.Open(kind));

            // When
            await Task.WhenAll(Enumerable.Range(0, 10).Select(i =>
                Task.Run(() => registry.AppendEventAsync(Event(RegistryEventTypes.Deployed, $"v{i}", i), CancellationToken.None))));

            // Then
            var events = await registry.EventsAsync("fraud", "prod", CancellationToken.None);
            Assert.Equal(Enumerable.Range(0, 10).Select(i => $"v{i}").Order(), events.Select(e => e.Version).Order());
        }
    }

    public sealed class TheVerifyArtifactAsyncMethod : IDisposable
    {
        private readonly StoreFixture _f = new();

        public void Dispose() => _f.Dispose();

        [Theory]
        [InlineData(StoreFixture.File)]
        [InlineData(StoreFixture.Http)]
        public async Task Should_Refuse_An_Artifact_Whose_Sha256_No_Longer_Matches_Its_Record(string kind)
        {
            // Given
            var store = _f.Open(kind);
            var original = Encoding.UTF8.GetBytes("onnx bytes");
            var record = StoreFixture.Record(sha: Convert.ToHexStringLower(SHA256.HashData(original)));
            var tampered = Encoding.UTF8.GetBytes("tampered onnx bytes");
            await store.CreateAsync(RegistryLayout.ModelFile("fraud", record.Version), new MemoryStream(tampered), "application/octet-stream", CancellationToken.None);

            // When
            var check = await new ModelRegistry(store).VerifyArtifactAsync(record, CancellationToken.None);

            // Then
            Assert.False(check.Matches);
            Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(tampered)), check.Sha256);
            Assert.Contains("changed after it was recorded and is refused", check.Error);
            Assert.Contains(record.Artifact.Sha256, check.Error);
        }

        [Fact]
        public async Task Should_Accept_An_Artifact_That_Matches_Its_Record()
        {
            // Given
            var store = _f.Open(StoreFixture.File);
            var bytes = Encoding.UTF8.GetBytes("onnx bytes");
            var record = StoreFixture.Record(sha: Convert.ToHexStringLower(SHA256.HashData(bytes)));
            await store.CreateAsync(RegistryLayout.ModelFile("fraud", record.Version), new MemoryStream(bytes), "application/octet-stream", CancellationToken.None);

            // When
            var check = await new ModelRegistry(store).VerifyArtifactAsync(record, CancellationToken.None);

            // Then
            Assert.True(check.Matches, check.Error);
        }
    }
}

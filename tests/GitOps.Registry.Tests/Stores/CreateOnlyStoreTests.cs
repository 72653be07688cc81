using System.Text;
using GitOps.Registry.Stores;

namespace GitOps.Registry.Tests.Stores;

public sealed class CreateOnlyStoreTests
{
    public sealed class TheCreateAsyncMethod : IDisposable
    {
        private readonly StoreFixture _stores = new();

        public void Dispose() => _stores.Dispose();

        [Theory]
        [InlineData(StoreFixture.File)]
        [InlineData(StoreFixture.Http)]
        public async Task Should_Refuse_A_Second_Write_Of_A_Published_Model_When_The_Key_Exists(string kind)
        {
            // Given a published model (the HTTP test server overwrites on a PUT without If-None-Match: *, so keeping
            // the first bytes proves the store sent it)
            var store = _stores.Open(kind);
            await store.CreateAsync("fraud/9a75b5701b77/model.onnx", Body("first"), "application/octet-stream", CancellationToken.None);

            // When
            var second = await store.CreateAsync("fraud/9a75b5701b77/model.onnx", Body("second"), "application/octet-stream", CancellationToken.None);

            // Then
            Assert.Equal(CreateResult.AlreadyExists, second);
            Assert.Equal("first", Encoding.UTF8.GetString((await store.ReadAllBytesAsync("fraud/9a75b5701b77/model.onnx", CancellationToken.None))!));
        }

        [Fact]
        public async Task Should_Let_Exactly_One_Writer_Win_When_Many_Race_For_The_Same_Key()
        {
            // Given a file store and, for each of many keys, one writer per core released at the same instant
            var store = _stores.Open(StoreFixture.File);
            var writers = Math.Max(2, Environment.ProcessorCount);
            for (var round = 0; round < 300; round++)
            {
                var key = $"fraud/index/{round}.json";
                using var start = new Barrier(writers);
                var attempts = Enumerable.Range(0, writers).Select(w => Task.Factory.StartNew(() =>
                {
                    start.SignalAndWait();
                    return (Writer: w, Result: store.CreateAsync(key, Body($"writer {w}"), "application/json", CancellationToken.None).GetAwaiter().GetResult());
                }, TaskCreationOptions.LongRunning)).ToArray();

                // When they race
                var results = await Task.WhenAll(attempts);

                // Then one created the key, the others were told it exists, and the key holds the winner's bytes
                var winners = results.Where(r => r.Result == CreateResult.Created).ToArray();
                Assert.Single(winners);
                Assert.Equal($"writer {winners[0].Writer}", Encoding.UTF8.GetString((await store.ReadAllBytesAsync(key, CancellationToken.None))!));
            }
            Assert.Empty(Directory.EnumerateFiles(((FileArtifactStore)store).Root, "*.partial", SearchOption.AllDirectories));
        }

        [Fact]
        public void Should_Offer_No_Way_To_Replace_A_Key()
        {
            // Given / When the store port's write methods
            var writes = typeof(IArtifactStore).GetMethods().Where(m => m.GetParameters().Any(p => p.ParameterType == typeof(Stream)));

            // Then creating is the only write there is
            Assert.Equal(["CreateAsync"], writes.Select(m => m.Name));
        }

        private static MemoryStream Body(string text) => new(Encoding.UTF8.GetBytes(text));
    }
}

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

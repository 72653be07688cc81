using GitOps.Reconciler.Drivers.Kubernetes;

namespace GitOps.Reconciler.Tests.Drivers.Kubernetes;

public sealed class PooledBytesTests
{
    public sealed class TheReadAsyncMethod
    {
        public static TheoryData<int, bool> Sizes() => new()
        {
            { 0, true }, { 1, false }, { 16 * 1024, false }, { 16 * 1024 + 1, false }, { 3 * 1024 * 1024 + 7, false }, { 3 * 1024 * 1024 + 7, true },
        };

        [Theory]
        [MemberData(nameof(Sizes))]
        public async Task Should_Read_The_Whole_Body_With_Or_Without_Its_Length(int size, bool withLength)
        {
            // Given a body streamed in pieces, as a large list page is (its length not always given)
            var body = Enumerable.Range(0, size).Select(i => (byte)(i * 31 % 251)).ToArray();
            using var content = new StreamContent(new TrickleStream(body));
            content.Headers.ContentLength = withLength ? size : null;

            // When
            using var read = await PooledBytes.ReadAsync(content, CancellationToken.None);

            // Then
            Assert.True(read.Span.SequenceEqual(body));
        }

        [Fact]
        public async Task Should_Refuse_To_Be_Read_Once_Disposed()
        {
            // Given
            using var content = new ByteArrayContent([1, 2, 3]);
            var read = await PooledBytes.ReadAsync(content, CancellationToken.None);

            // When
            read.Dispose();
            read.Dispose();

            // Then
            Assert.Throws<ObjectDisposedException>(() => read.Span.Length);
        }

        /// <summary>Gives at most 1,000 bytes per read, as a socket does.</summary>
        private sealed class TrickleStream(byte[] data) : MemoryStream(data)
        {
            public override int Read(byte[] buffer, int offset, int count) => base.Read(buffer, offset, Math.Min(count, 1000));

            public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
                base.ReadAsync(buffer[..Math.Min(buffer.Length, 1000)], cancellationToken);
        }
    }
}

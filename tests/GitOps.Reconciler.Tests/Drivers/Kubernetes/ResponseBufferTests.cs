using GitOps.Reconciler.Drivers.Kubernetes;

namespace GitOps.Reconciler.Tests.Drivers.Kubernetes;

public sealed class ResponseBufferTests
{
    public sealed class TheReadAsyncMethod
    {
        [Fact]
        public async Task Should_Read_Each_Body_Whole_Into_The_Same_Buffer_With_Or_Without_Its_Length()
        {
            // Given bodies streamed in pieces, as list pages are, their length given or not, smaller and larger in turn
            var buffer = new ResponseBuffer();
            var sizes = new (int Size, bool WithLength)[]
            {
                (0, true), (1, false), (64 * 1024, false), (64 * 1024 + 1, false), (3 * 1024 * 1024 + 7, false), (10, true),
                (3 * 1024 * 1024 + 7, true), (5 * 1024 * 1024, true), (200, false),
            };

            foreach (var (size, withLength) in sizes)
            {
                var body = Enumerable.Range(0, size).Select(i => (byte)((i * 31 + size) % 251)).ToArray();
                using var content = new StreamContent(new TrickleStream(body));
                content.Headers.ContentLength = withLength ? size : null;

                // When
                var read = await buffer.ReadAsync(content, CancellationToken.None);

                // Then
                Assert.True(read.Span.SequenceEqual(body), $"{size} bytes, length given: {withLength}");
            }
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

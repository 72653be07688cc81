using GitOps.Serving.Protocol;

namespace GitOps.Serving.Tests;

public sealed class InferRequestParserTests
{
    public sealed class TheParseMethod
    {
        private static readonly TensorSignature[] Inputs =
        [
            new("ids", TensorDatatype.Int64, [-1, 2]),
            new("mask", TensorDatatype.Bool, [-1, 2]),
        ];

        private static readonly TensorSignature[] Outputs = [new("y", TensorDatatype.Fp32, [-1, 1])];

        private static (InferenceRequest? Request, ProtocolError? Error) Parse(string json) =>
            InferRequestParser.Parse(System.Text.Encoding.UTF8.GetBytes(json), Inputs, Outputs);

        [Fact]
        public void Should_Read_Typed_Data_In_Model_Input_Order()
        {
            // Given
            const string json = """
                {"inputs":[
                  {"name":"mask","datatype":"BOOL","shape":[2,2],"data":[true,false,false,true]},
                  {"name":"ids","datatype":"INT64","shape":[2,2],"data":[[1,2],[3,9007199254740993]]}]}
                """;

            // When
            var (request, error) = Parse(json);

            // Then
            Assert.Null(error);
            Assert.Equal(2, request!.Rows);
            Assert.Equal(["ids", "mask"], request.Inputs.Select(i => i.Name));
            Assert.Equal(new long[] { 1, 2, 3, 9007199254740993 }, (long[])request.Inputs[0].Data);
            Assert.Equal(new[] { true, false, false, true }, (bool[])request.Inputs[1].Data);
        }

        [Theory]
        [InlineData("""{"inputs":[{"name":"ids","datatype":"INT64","shape":[1,2],"data":[1,2.5]}]}""", "input 'ids': element 1 is 2.5, which is not a valid INT64 value")]
        [InlineData("""{"inputs":[{"name":"ids","datatype":"INT64","shape":[1,2],"data":[1,2]},{"name":"mask","datatype":"BOOL","shape":[1,2],"data":[1,0]}]}""", "input 'mask': element 0 is 1, which is not a valid BOOL value")]
        [InlineData("""{"inputs":[{"name":"ids","shape":[1,2],"data":[1,2]}]}""", "input 'ids' has no string \"datatype\"; expected \"INT64\"")]
        [InlineData("""{"inputs":[{"name":"ids","datatype":"INT64","data":[1,2]}]}""", "input 'ids' has no \"shape\" array; expected a shape like [1,2]")]
        [InlineData("""{"inputs":[{"name":"ids","datatype":"INT64","shape":[1,2]}]}""", "input 'ids' has no \"data\" array")]
        [InlineData("""{"inputs":[{"name":"ids","datatype":"INT64","shape":[1,2],"data":[1,2,3]}]}""", "input 'ids' has 3 data elements but shape [1,2] needs 2")]
        [InlineData("""{"inputs":[42]}""", "inputs[0] must be an object with \"name\", \"datatype\", \"shape\" and \"data\"")]
        [InlineData("""{"id":7,"inputs":[]}""", "\"id\" must be a string")]
        public void Should_Say_What_Was_Expected(string json, string message)
        {
            // Given // When
            var (request, error) = Parse(json);

            // Then
            Assert.Null(request);
            Assert.Equal(400, error!.Status);
            Assert.Equal(message, error.Message);
        }

        [Fact]
        public void Should_Never_Throw_On_Arbitrary_Bytes()
        {
            // Given
            var random = new Random(3);
            var samples = Enumerable.Range(0, 2000).Select(i =>
            {
                var bytes = new byte[random.Next(0, 64)];
                random.NextBytes(bytes);
                return bytes;
            });

            // When // Then
            foreach (var bytes in samples)
            {
                var (request, error) = InferRequestParser.Parse(bytes, Inputs, Outputs);
                Assert.True(request is null ^ error is null);
            }
        }
    }
}

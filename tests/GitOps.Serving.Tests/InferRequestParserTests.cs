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

        [Theory]
        [InlineData("ids", "INT64")]
        [InlineData("x", "FP32")]
        public void Should_Refuse_A_Short_Body_Declaring_A_Huge_Shape_Without_Allocating_What_The_Shape_Promises(string name, string datatype)
        {
            // Given 2 values under a shape of a billion elements (4 to 8 GB if allocated as declared)
            TensorSignature[] inputs = [new(name, datatype == "FP32" ? TensorDatatype.Fp32 : TensorDatatype.Int64, [-1, 2])];
            var body = System.Text.Encoding.UTF8.GetBytes(
                "{\"inputs\":[{\"name\":\"" + name + "\",\"datatype\":\"" + datatype + "\",\"shape\":[500000000,2],\"data\":[1,2]}]}");
            InferRequestParser.Parse(body, inputs, Outputs);
            var before = GC.GetAllocatedBytesForCurrentThread();

            // When
            var (request, error) = InferRequestParser.Parse(body, inputs, Outputs);

            // Then
            var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            Assert.Null(request);
            Assert.Equal($"input '{name}' has 2 data elements but shape [500000000,2] needs 1000000000", error!.Message);
            Assert.Equal(400, error.Status);
            Assert.True(allocated < 1024 * 1024, $"allocated {allocated} bytes");
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

    public sealed class TheOnePassReader
    {
        private static readonly TensorSignature[] Inputs =
        [
            new("a", TensorDatatype.Fp32, [-1, 1]),
            new("b", TensorDatatype.Fp32, [-1, 2]),
        ];

        private static readonly TensorSignature[] Outputs = [new("Probability", TensorDatatype.Fp32, [-1, 1]), new("Score", TensorDatatype.Fp32, [-1, 1])];

        private static readonly string[] Valid =
        [
            """{"inputs":[{"name":"a","datatype":"FP32","shape":[1,1],"data":[0.5]},{"name":"b","datatype":"FP32","shape":[1,2],"data":[1,2]}]}""",
            """{"id":"r1","parameters":{"x":[1,{"y":2}]},"inputs":[{"name":"b","datatype":"FP32","shape":[2,2],"data":[[1,null],[3,4e-3]],"parameters":{}},{"name":"a","datatype":"FP32","shape":[2,1],"data":[[-1],[2]]}],"outputs":[{"name":"Score","parameters":{}}]}""",
            """ { "inputs" : [ { "name" : "\u0061", "datatype" : "FP\u00332", "shape" : [ 1 , 1 ] , "data" : [ 1.25E+2 ] } , { "name" : "b" , "datatype" : "FP32" , "shape" : [ 1, 2 ] , "data" : [ 3 , 4 ] } ] } """,
            """{"inputs":[{"datatype":"FP32","name":"a","shape":[1,1],"data":[1]},{"shape":[1,2],"datatype":"FP32","name":"b","data":[1,2]}]}""",
            """{"inputs":[{"name":"a","datatype":"FP32","shape":[1,1],"data":[1]},{"name":"b","datatype":"FP32","shape":[1,2],"data":[1,2]}],"outputs":[{"name":"Score"},{"name":"Score"},{"name":"Probability"}],"id":""}""",
        ];

        /// <summary>The request as the full parser reads it, through a JSON document.</summary>
        private static (InferenceRequest? Request, ProtocolError? Error)? ThroughDocument(byte[] body)
        {
            try
            {
                using var document = System.Text.Json.JsonDocument.Parse(body, new System.Text.Json.JsonDocumentOptions { MaxDepth = 64 });
                return InferRequestParser.Parse(document.RootElement, Inputs, Outputs);
            }
            catch (System.Text.Json.JsonException)
            {
                return null;
            }
        }

        private static void AssertSame((InferenceRequest? Request, ProtocolError? Error) expected, (InferenceRequest? Request, ProtocolError? Error) actual, string body)
        {
            Assert.True(expected.Error?.Message == actual.Error?.Message, body);
            Assert.Equal(expected.Request is null, actual.Request is null);
            if (expected.Request is { } e && actual.Request is { } a)
            {
                Assert.Equal(e.Id, a.Id);
                Assert.Equal(e.Rows, a.Rows);
                Assert.Equal(e.RequestedOutputs.ToArray(), a.RequestedOutputs.ToArray());
                Assert.Equal(e.Inputs.Select(t => t.Name), a.Inputs.Select(t => t.Name));
                for (var i = 0; i < e.Inputs.Length; i++)
                {
                    Assert.Equal(e.Inputs[i].Datatype, a.Inputs[i].Datatype);
                    Assert.Equal(e.Inputs[i].Shape.ToArray(), a.Inputs[i].Shape.ToArray());
                    Assert.Equal((float[])e.Inputs[i].Data, (float[])a.Inputs[i].Data);
                }
            }
        }

        [Fact]
        public void Should_Read_Valid_Requests_As_The_Document_Parser_Does()
        {
            foreach (var body in Valid)
            {
                // Given
                var bytes = System.Text.Encoding.UTF8.GetBytes(body);

                // When
                var read = InferRequestFastReader.TryRead(new System.Text.Json.Utf8JsonReader(bytes), Inputs, Outputs);

                // Then
                Assert.NotNull(read);
                AssertSame(ThroughDocument(bytes)!.Value, (read, null), body);
                AssertSame(ThroughDocument(bytes)!.Value, InferRequestParser.Parse(bytes, Inputs, Outputs), body);
            }
        }

        [Fact]
        public void Should_Answer_Every_Mutated_Request_As_The_Document_Parser_Does()
        {
            // Given: valid requests with one byte changed, removed or repeated
            var random = new Random(15);
            var alphabet = "{}[],:\"0123456789.-eE nulltrueFP32abname".Select(c => (byte)c).ToArray();
            var compared = 0;
            var accepted = 0;
            for (var i = 0; i < 4000; i++)
            {
                var bytes = System.Text.Encoding.UTF8.GetBytes(Valid[i % Valid.Length]).ToList();
                var at = random.Next(bytes.Count);
                switch (random.Next(3))
                {
                    case 0: bytes[at] = alphabet[random.Next(alphabet.Length)]; break;
                    case 1: bytes.RemoveAt(at); break;
                    default: bytes.Insert(at, bytes[at]); break;
                }
                var body = bytes.ToArray();

                // When
                var parsed = InferRequestParser.Parse(body, Inputs, Outputs);
                var read = InferRequestFastReader.TryRead(new System.Text.Json.Utf8JsonReader(body), Inputs, Outputs);

                // Then: the one-pass reader accepts only what the document parser accepts, and the same answer
                if (read is not null)
                {
                    Assert.NotNull(parsed.Request);
                    AssertSame(parsed, (read, null), System.Text.Encoding.UTF8.GetString(body));
                    accepted++;
                }
                // the same answer whenever the body is one JSON document (a document parser refuses trailing bytes)
                if (ThroughDocument(body) is { } expected)
                {
                    AssertSame(expected, parsed, System.Text.Encoding.UTF8.GetString(body));
                    compared++;
                }
                else
                {
                    Assert.True(parsed.Request is not null || parsed.Error!.Status == 400);
                }
            }
            Assert.True(compared > 1000, $"only {compared} mutated bodies were valid JSON");
            Assert.True(accepted > 100, $"the one-pass reader accepted only {accepted} mutated bodies");
        }
    }
}

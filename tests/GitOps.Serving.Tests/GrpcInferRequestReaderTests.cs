using System.Runtime.InteropServices;
using GitOps.Serving.Protocol;
using GitOps.Serving.Protocol.Grpc;
using Google.Protobuf;

namespace GitOps.Serving.Tests;

public sealed class GrpcInferRequestReaderTests
{
    public sealed class TheReadMethod
    {
        private static readonly TensorSignature[] Inputs =
        [
            new("ids", TensorDatatype.Int64, [-1, 2]),
            new("mask", TensorDatatype.Bool, [-1, 2]),
            new("codes", TensorDatatype.Int8, [-1, 1]),
        ];

        private static readonly TensorSignature[] Outputs = [new("y", TensorDatatype.Fp32, [-1, 1])];

        private static ModelInferRequest.Types.InferInputTensor Input(string name, string datatype, params long[] shape)
        {
            var input = new ModelInferRequest.Types.InferInputTensor { Name = name, Datatype = datatype };
            input.Shape.AddRange(shape);
            return input;
        }

        private static ModelInferRequest Raw(byte[] mask, sbyte[]? codes = null)
        {
            var request = new ModelInferRequest { Id = "r1" };
            request.Inputs.Add(Input("mask", "BOOL", 2, 2));
            request.Inputs.Add(Input("ids", "INT64", 2, 2));
            request.Inputs.Add(Input("codes", "INT8", 2, 1));
            request.RawInputContents.Add(ByteString.CopyFrom(mask));
            request.RawInputContents.Add(ByteString.CopyFrom(MemoryMarshal.AsBytes(new long[] { 1, 2, 3, 9007199254740993 }.AsSpan())));
            request.RawInputContents.Add(ByteString.CopyFrom(MemoryMarshal.AsBytes((codes ?? [-5, 7]).AsSpan())));
            return request;
        }

        private static ModelInferRequest Typed(int[] codes)
        {
            var request = new ModelInferRequest();
            var ids = Input("ids", "INT64", 1, 2);
            ids.Contents = new InferTensorContents { Int64Contents = { 4, 5 } };
            var mask = Input("mask", "BOOL", 1, 2);
            mask.Contents = new InferTensorContents { BoolContents = { false, true } };
            var code = Input("codes", "INT8", 1, 1);
            code.Contents = new InferTensorContents();
            code.Contents.IntContents.AddRange(codes);
            request.Inputs.Add(ids);
            request.Inputs.Add(mask);
            request.Inputs.Add(code);
            return request;
        }

        [Fact]
        public void Should_Read_Raw_Little_Endian_Elements_In_Model_Input_Order()
        {
            // Given
            var request = Raw([1, 0, 0, 1]);

            // When
            var (read, error) = GrpcInferRequestReader.Read(request, Inputs, Outputs);

            // Then
            Assert.Null(error);
            Assert.Equal("r1", read!.Id);
            Assert.Equal(2, read.Rows);
            Assert.Equal(["ids", "mask", "codes"], read.Inputs.Select(i => i.Name));
            Assert.Equal(new long[] { 1, 2, 3, 9007199254740993 }, (long[])read.Inputs[0].Data);
            Assert.Equal(new[] { true, false, false, true }, (bool[])read.Inputs[1].Data);
            Assert.Equal(new sbyte[] { -5, 7 }, (sbyte[])read.Inputs[2].Data);
        }

        [Fact]
        public void Should_Read_Typed_Contents_Of_Each_Datatype()
        {
            // Given
            var request = Typed([-128]);

            // When
            var (read, error) = GrpcInferRequestReader.Read(request, Inputs, Outputs);

            // Then
            Assert.Null(error);
            Assert.Null(read!.Id);
            Assert.Equal(new long[] { 4, 5 }, (long[])read.Inputs[0].Data);
            Assert.Equal(new[] { false, true }, (bool[])read.Inputs[1].Data);
            Assert.Equal(new sbyte[] { -128 }, (sbyte[])read.Inputs[2].Data);
        }

        [Fact]
        public void Should_Refuse_Values_That_Do_Not_Fit_The_Datatype_Naming_The_Input_And_Element()
        {
            // Given // When
            var (_, boolError) = GrpcInferRequestReader.Read(Raw([1, 0, 2, 1]), Inputs, Outputs);
            var (_, int8Error) = GrpcInferRequestReader.Read(Typed([300]), Inputs, Outputs);

            // Then
            Assert.Equal(400, boolError!.Status);
            Assert.Equal("input 'mask': element 2 is 2, which is not a valid BOOL value", boolError.Message);
            Assert.Equal("input 'codes': element 0 is 300, which is not a valid INT8 value", int8Error!.Message);
        }

        [Fact]
        public void Should_Give_The_Same_Message_As_The_Json_Parser_For_The_Same_Mistake()
        {
            // Given a duplicated input and a wrong datatype, in both wire formats
            var duplicated = Typed([1]);
            duplicated.Inputs[1].Name = "ids";
            duplicated.Inputs[1].Datatype = "INT64";
            duplicated.Inputs[1].Contents = new InferTensorContents { Int64Contents = { 1, 2 } };
            const string json = """
                {"inputs":[{"name":"ids","datatype":"INT64","shape":[1,2],"data":[4,5]},{"name":"ids","datatype":"INT64","shape":[1,2],"data":[1,2]},
                  {"name":"codes","datatype":"INT8","shape":[1,1],"data":[1]}]}
                """;

            // When
            var (_, grpc) = GrpcInferRequestReader.Read(duplicated, Inputs, Outputs);
            var (_, rest) = InferRequestParser.Parse(System.Text.Encoding.UTF8.GetBytes(json), Inputs, Outputs);

            // Then
            Assert.Equal("input 'ids' is given more than once", grpc!.Message);
            Assert.Equal(rest, grpc);
        }
    }
}

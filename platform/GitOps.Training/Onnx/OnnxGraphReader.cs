using System.Collections.Immutable;

namespace GitOps.Training.Onnx;

/// <summary>A graph input or output: name, element type (<c>float32</c>, <c>int64</c>, ...) and shape (-1 = dynamic).</summary>
public sealed record OnnxTensorInfo(string Name, string Type, ImmutableArray<long> Shape);

/// <summary>The signature of an ONNX model, read without an inference runtime.</summary>
public sealed record OnnxSignature(long IrVersion, ImmutableArray<OnnxTensorInfo> Inputs, ImmutableArray<OnnxTensorInfo> Outputs);

/// <summary>
/// Reads the graph inputs and outputs of an ONNX <c>ModelProto</c> with a minimal protobuf walker, so the
/// trainer and <c>verify-output</c> can describe and check a model without loading ONNX Runtime.
/// </summary>
public static class OnnxGraphReader
{
    /// <summary>Returns the signature, or an error message when the bytes are not a readable ONNX model.</summary>
    public static (OnnxSignature? Signature, string? Error) TryRead(ReadOnlySpan<byte> model)
    {
        try
        {
            return (Read(model), null);
        }
        catch (FormatException e)
        {
            return (null, e.Message);
        }
    }

    private static OnnxSignature Read(ReadOnlySpan<byte> model)
    {
        long irVersion = 0;
        ReadOnlySpan<byte> graph = default;
        var hasGraph = false;
        var reader = new ProtoReader(model);
        while (reader.Next(out var field, out var wire))
        {
            if (field == 1 && wire == 0)
            {
                irVersion = (long)reader.Varint();
            }
            else if (field == 7 && wire == 2)
            {
                graph = reader.Bytes();
                hasGraph = true;
            }
            else
            {
                reader.Skip(wire);
            }
        }
        if (irVersion <= 0)
        {
            throw new FormatException("not an ONNX model: ir_version is missing");
        }
        if (!hasGraph)
        {
            throw new FormatException("not an ONNX model: the graph is missing");
        }

        var inputs = new List<OnnxTensorInfo>();
        var outputs = new List<OnnxTensorInfo>();
        var initializers = new HashSet<string>(StringComparer.Ordinal);
        var g = new ProtoReader(graph);
        while (g.Next(out var field, out var wire))
        {
            switch (field, wire)
            {
                case (5, 2):
                    initializers.Add(ReadStringField(g.Bytes(), 8));
                    break;
                case (11, 2):
                    inputs.Add(ReadValueInfo(g.Bytes()));
                    break;
                case (12, 2):
                    outputs.Add(ReadValueInfo(g.Bytes()));
                    break;
                default:
                    g.Skip(wire);
                    break;
            }
        }
        // Older IR versions list initializers among the inputs; they are weights, not inputs.
        return new OnnxSignature(irVersion, [.. inputs.Where(i => !initializers.Contains(i.Name))], [.. outputs]);
    }

    private static OnnxTensorInfo ReadValueInfo(ReadOnlySpan<byte> bytes)
    {
        var name = "";
        var type = "unknown";
        var shape = ImmutableArray<long>.Empty;
        var r = new ProtoReader(bytes);
        while (r.Next(out var field, out var wire))
        {
            if (field == 1 && wire == 2)
            {
                name = System.Text.Encoding.UTF8.GetString(r.Bytes());
            }
            else if (field == 2 && wire == 2)
            {
                (type, shape) = ReadType(r.Bytes());
            }
            else
            {
                r.Skip(wire);
            }
        }
        return new OnnxTensorInfo(name, type, shape);
    }

    private static (string Type, ImmutableArray<long> Shape) ReadType(ReadOnlySpan<byte> bytes)
    {
        var r = new ProtoReader(bytes);
        while (r.Next(out var field, out var wire))
        {
            if (field == 1 && wire == 2)
            {
                return ReadTensorType(r.Bytes());
            }
            r.Skip(wire);
        }
        return ("unknown", []);
    }

    private static (string Type, ImmutableArray<long> Shape) ReadTensorType(ReadOnlySpan<byte> bytes)
    {
        var elem = 0;
        var shape = ImmutableArray.CreateBuilder<long>();
        var r = new ProtoReader(bytes);
        while (r.Next(out var field, out var wire))
        {
            if (field == 1 && wire == 0)
            {
                elem = (int)r.Varint();
            }
            else if (field == 2 && wire == 2)
            {
                var s = new ProtoReader(r.Bytes());
                while (s.Next(out var f, out var w))
                {
                    if (f == 1 && w == 2)
                    {
                        shape.Add(ReadDimension(s.Bytes()));
                    }
                    else
                    {
                        s.Skip(w);
                    }
                }
            }
            else
            {
                r.Skip(wire);
            }
        }
        return (ElementTypeName(elem), shape.ToImmutable());
    }

    private static long ReadDimension(ReadOnlySpan<byte> bytes)
    {
        var r = new ProtoReader(bytes);
        while (r.Next(out var field, out var wire))
        {
            if (field == 1 && wire == 0)
            {
                var value = (long)r.Varint();
                return value > 0 ? value : -1;
            }
            r.Skip(wire);
        }
        return -1;
    }

    private static string ReadStringField(ReadOnlySpan<byte> bytes, int wanted)
    {
        var r = new ProtoReader(bytes);
        while (r.Next(out var field, out var wire))
        {
            if (field == wanted && wire == 2)
            {
                return System.Text.Encoding.UTF8.GetString(r.Bytes());
            }
            r.Skip(wire);
        }
        return "";
    }

    /// <summary>ONNX <c>TensorProto.DataType</c> codes as short names.</summary>
    public static string ElementTypeName(int code) => code switch
    {
        1 => "float32",
        2 => "uint8",
        3 => "int8",
        4 => "uint16",
        5 => "int16",
        6 => "int32",
        7 => "int64",
        8 => "string",
        9 => "bool",
        10 => "float16",
        11 => "float64",
        12 => "uint32",
        13 => "uint64",
        _ => "unknown",
    };

    private ref struct ProtoReader(ReadOnlySpan<byte> data)
    {
        private readonly ReadOnlySpan<byte> _data = data;
        private int _pos;

        public bool Next(out int field, out int wire)
        {
            if (_pos >= _data.Length)
            {
                field = 0;
                wire = 0;
                return false;
            }
            var key = Varint();
            field = (int)(key >> 3);
            wire = (int)(key & 7);
            if (field == 0)
            {
                throw new FormatException($"not an ONNX model: invalid protobuf field at byte {_pos}");
            }
            return true;
        }

        public ulong Varint()
        {
            ulong result = 0;
            for (var shift = 0; shift < 64; shift += 7)
            {
                if (_pos >= _data.Length)
                {
                    throw new FormatException("not an ONNX model: truncated varint");
                }
                var b = _data[_pos++];
                result |= (ulong)(b & 0x7F) << shift;
                if ((b & 0x80) == 0)
                {
                    return result;
                }
            }
            throw new FormatException("not an ONNX model: varint too long");
        }

        public ReadOnlySpan<byte> Bytes()
        {
            var length = Varint();
            if (length > (ulong)(_data.Length - _pos))
            {
                throw new FormatException($"not an ONNX model: a field of {length} bytes runs past the end of the data");
            }
            var slice = _data.Slice(_pos, (int)length);
            _pos += (int)length;
            return slice;
        }

        public void Skip(int wire)
        {
            switch (wire)
            {
                case 0:
                    Varint();
                    break;
                case 1:
                    Advance(8);
                    break;
                case 2:
                    Bytes();
                    break;
                case 5:
                    Advance(4);
                    break;
                default:
                    throw new FormatException($"not an ONNX model: unsupported protobuf wire type {wire}");
            }
        }

        private void Advance(int count)
        {
            if (_pos + count > _data.Length)
            {
                throw new FormatException("not an ONNX model: truncated field");
            }
            _pos += count;
        }
    }
}

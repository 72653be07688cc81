// The peer of `gitops serve` in the serving-peer benchmark: a plain Node.js Open Inference Protocol v2 server on
// onnxruntime-node, written the way a team would write one by hand. Node's http module, one session.run per request,
// the same model file and the same JSON shapes. Not part of the product.
//
//   node server.js MODEL.onnx NAME PORT
'use strict';
const http = require('http');
const ort = require('onnxruntime-node');

const [modelPath, modelName, portText] = process.argv.slice(2);
const types = {
  FP32: ['float32', Float32Array], FP64: ['float64', Float64Array], INT32: ['int32', Int32Array],
  INT64: ['int64', BigInt64Array], INT8: ['int8', Int8Array], UINT8: ['uint8', Uint8Array], BOOL: ['bool', Uint8Array],
};
const datatypes = Object.fromEntries(Object.entries(types).map(([v2, [onnx]]) => [onnx, v2]));
const servedName = (name) => (name.endsWith('.output') ? name.slice(0, -'.output'.length) : name);

function send(res, status, body) {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function feeds(request, inputNames) {
  const result = {};
  for (const input of request.inputs || []) {
    if (!inputNames.includes(input.name)) throw new Error(`unknown input '${input.name}'`);
    const type = types[input.datatype];
    if (!type) throw new Error(`unsupported datatype '${input.datatype}'`);
    const flat = input.data.flat(Infinity);
    const data = type[1] === BigInt64Array ? BigInt64Array.from(flat, (v) => BigInt(v)) : type[1].from(flat, (v) => (v === null ? NaN : v));
    result[input.name] = new ort.Tensor(type[0], data, input.shape);
  }
  for (const name of inputNames) {
    if (!(name in result)) throw new Error(`missing input '${name}'`);
  }
  return result;
}

function outputs(results, outputNames) {
  return outputNames.map((name) => {
    const tensor = results[name];
    const data = tensor.type === 'int64' ? Array.from(tensor.data, Number)
      : tensor.type === 'bool' ? Array.from(tensor.data, (v) => v !== 0)
      : Array.from(tensor.data, (v) => (Number.isFinite(v) ? v : null));
    return { name: servedName(name), datatype: datatypes[tensor.type], shape: tensor.dims, data };
  });
}

async function main() {
  const session = await ort.InferenceSession.create(modelPath);
  const inferPath = `/v2/models/${modelName}/infer`;
  const server = http.createServer((req, res) => {
    if (req.method === 'GET' && (req.url === '/v2/health/ready' || req.url === '/v2/health/live')) {
      send(res, 200, { ready: true });
      return;
    }
    if (req.method !== 'POST' || req.url !== inferPath) {
      send(res, 404, { error: `no route ${req.method} ${req.url}` });
      return;
    }
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', async () => {
      let input;
      try {
        const request = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        input = { id: request.id, feeds: feeds(request, session.inputNames) };
      } catch (e) {
        send(res, 400, { error: e.message });
        return;
      }
      try {
        const results = await session.run(input.feeds);
        const body = { model_name: modelName, model_version: 'bench' };
        if (input.id !== undefined) body.id = input.id;
        body.outputs = outputs(results, session.outputNames);
        send(res, 200, body);
      } catch (e) {
        send(res, 500, { error: e.message });
      }
    });
  });
  server.keepAliveTimeout = 60000;
  server.listen(Number(portText), '127.0.0.1');
  const stop = () => server.close(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});

// Where the time of one large OTLP export goes on the receiving thread: JSON.parse alone, the
// OTLP/JSON and protobuf decoders, the trace store, the spanmetrics connector, and what a
// structured clone of the decoded batch (a worker handing it back whole) would cost.
// Run: npx tsc -p tsconfig.json && node dist/bench/ingest-large.js
import { JsonTraceSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { SpanMetricsConnector } from '../src/connectors/spanmetrics/connector.js';
import { decodeTracesJson } from '../src/otlp/decode-json.js';
import { decodeTracesRequest } from '../src/otlp/decode-protobuf.js';
import { demoSpans } from '../src/otlp/testing/demo-spans.js';
import { TraceStore } from '../src/traces/store.js';

const TARGET = 16 * 1024 * 1024 - 1024;
let spans = 20_000;
spans = Math.floor((spans * TARGET) / JsonTraceSerializer.serializeRequest(demoSpans(spans, Date.now()))!.length);
const json = JsonTraceSerializer.serializeRequest(demoSpans(spans, Date.now()))!;
const pb = ProtobufTraceSerializer.serializeRequest(demoSpans(spans, Date.now()))!;
console.log(
  `${spans} demo spans: OTLP/JSON ${(json.length / 1048576).toFixed(1)} MiB, protobuf ${(pb.length / 1048576).toFixed(1)} MiB`,
);
const time = (f: () => unknown): number => {
  const t = performance.now();
  f();
  return performance.now() - t;
};
for (let round = 1; round <= 3; round++) {
  const store = new TraceStore({ budgetBytes: 1e12 });
  const connector = new SpanMetricsConnector({ consumeMetrics() {} });
  const parse = time(() => JSON.parse(Buffer.from(json).toString('utf8')));
  let batch = decodeTracesJson(json);
  const decodeJson = time(() => (batch = decodeTracesJson(json)));
  const decodePb = time(() => decodeTracesRequest(pb));
  const storeMs = time(() => store.consumeTraces(batch));
  const connectorMs = time(() => connector.consumeTraces(batch));
  const clone = time(() => structuredClone(batch));
  console.log(
    `round ${round}: JSON.parse ${parse.toFixed(0)} ms | decode JSON ${decodeJson.toFixed(0)} ms | decode protobuf ${decodePb.toFixed(0)} ms | ` +
      `trace store ${storeMs.toFixed(0)} ms | spanmetrics ${connectorMs.toFixed(0)} ms | structuredClone(batch) ${clone.toFixed(0)} ms`,
  );
}

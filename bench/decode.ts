// OTLP/protobuf trace decoding speed: our hand-written decoder against protobufjs (reflection over
// a schema written for this project, see src/otlp/testing/protobufjs-schema.ts).
// The request is 512 demo-like spans (~10 attributes each) serialized by the OpenTelemetry JS
// exporter's own protobuf serializer, so the bytes are what the demo's services really send.
// Run: npx tsc -p tsconfig.json && node dist/bench/decode.js
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { decodeTracesRequest } from '../src/otlp/decode-protobuf.js';
import { decodeTracesJson } from '../src/otlp/decode-json.js';
import { demoSpans } from '../src/otlp/testing/demo-spans.js';
import { otlpRoot, TYPES } from '../src/otlp/testing/protobufjs-schema.js';
import { JsonTraceSerializer } from '@opentelemetry/otlp-transformer';

const SPANS = 512;
const spans = demoSpans(SPANS);
const bytes = ProtobufTraceSerializer.serializeRequest(spans);
const json = JsonTraceSerializer.serializeRequest(spans);
if (!bytes || !json) throw new Error('serializer returned nothing');
const buf = Buffer.from(bytes);
const jsonBuf = Buffer.from(json);

const requestType = otlpRoot().lookupType(TYPES.traceRequest);

function countOurs(): number {
  let n = 0;
  for (const rs of decodeTracesRequest(buf).resourceSpans) for (const ss of rs.scopeSpans) n += ss.spans.length;
  return n;
}

interface PbjsRequest {
  resourceSpans: { scopeSpans: { spans: unknown[] }[] }[];
}
function countPbjs(): number {
  const msg = requestType.decode(buf) as unknown as PbjsRequest;
  let n = 0;
  for (const rs of msg.resourceSpans) for (const ss of rs.scopeSpans) n += ss.spans.length;
  return n;
}

function countJson(): number {
  let n = 0;
  for (const rs of decodeTracesJson(jsonBuf).resourceSpans) for (const ss of rs.scopeSpans) n += ss.spans.length;
  return n;
}

/**
 * The machine is shared (two cores, other work running), so the three decoders are timed in turn,
 * one request at a time, and each reports its median and its best request time: the best is the
 * undisturbed speed, the median what a loaded core gives.
 */
function measure(fns: readonly (() => number)[], ms: number): { median: number; best: number }[] {
  const samples: number[][] = fns.map(() => []);
  const warmEnd = performance.now() + 500;
  while (performance.now() < warmEnd) for (const fn of fns) fn();
  const end = performance.now() + ms;
  while (performance.now() < end) {
    for (let i = 0; i < fns.length; i++) {
      const t0 = performance.now();
      const n = fns[i]!();
      samples[i]!.push((n * 1000) / (performance.now() - t0));
    }
  }
  return samples.map((s) => {
    s.sort((a, b) => a - b);
    return { median: s[s.length >> 1]!, best: s[s.length - 1]! };
  });
}

if (countOurs() !== SPANS || countPbjs() !== SPANS || countJson() !== SPANS) throw new Error('span count mismatch');

const fmt = (x: number) => Math.round(x).toLocaleString('en-US').padStart(9);
console.log(
  `request: ${SPANS} spans, ${buf.length} bytes protobuf (${Math.round(buf.length / SPANS)} B/span), ${jsonBuf.length} bytes JSON`,
);
const [ours, pbjs, js] = measure([countOurs, countPbjs, countJson], 6000);
console.log('spans/s                          median       best');
console.log(`orrery protobuf decoder       ${fmt(ours!.median)}  ${fmt(ours!.best)}`);
console.log(`protobufjs (reflection)       ${fmt(pbjs!.median)}  ${fmt(pbjs!.best)}`);
console.log(`orrery OTLP/JSON decoder      ${fmt(js!.median)}  ${fmt(js!.best)}`);
console.log(`orrery / protobufjs (median): x${(ours!.median / pbjs!.median).toFixed(2)}`);

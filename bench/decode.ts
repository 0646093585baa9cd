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
 * The machine may be shared (two cores, other work running), so wall-clock rates mislead. Each
 * decoder runs in a steady loop and is judged by spans per CPU-second of this process (garbage
 * collection included, other processes excluded), plus its best single request (an undisturbed
 * request, usually without a collection). Two rounds each; the better round counts.
 */
interface Figures {
  perCpuSecond: number;
  bestRequest: number;
  perWallSecond: number;
}

function measure(fn: () => number, ms: number): Figures {
  const warmEnd = performance.now() + 500;
  while (performance.now() < warmEnd) fn();
  const cpu0 = process.cpuUsage();
  const wall0 = performance.now();
  let spans = 0;
  let best = 0;
  let now = wall0;
  while (now - wall0 < ms) {
    const t0 = now;
    const n = fn();
    now = performance.now();
    spans += n;
    best = Math.max(best, (n * 1000) / (now - t0));
  }
  const cpu = process.cpuUsage(cpu0);
  return {
    perCpuSecond: spans / ((cpu.user + cpu.system) / 1e6),
    bestRequest: best,
    perWallSecond: (spans * 1000) / (now - wall0),
  };
}

function better(a: Figures, b: Figures): Figures {
  return {
    perCpuSecond: Math.max(a.perCpuSecond, b.perCpuSecond),
    bestRequest: Math.max(a.bestRequest, b.bestRequest),
    perWallSecond: Math.max(a.perWallSecond, b.perWallSecond),
  };
}

if (countOurs() !== SPANS || countPbjs() !== SPANS || countJson() !== SPANS) throw new Error('span count mismatch');

const fmt = (x: number) => Math.round(x).toLocaleString('en-US').padStart(11);
console.log(
  `request: ${SPANS} spans, ${buf.length} bytes protobuf (${Math.round(buf.length / SPANS)} B/span), ${jsonBuf.length} bytes JSON`,
);
const decoders: [string, () => number][] = [
  ['orrery protobuf decoder', countOurs],
  ['protobufjs (reflection)', countPbjs],
  ['orrery OTLP/JSON decoder', countJson],
];
const results = decoders.map(([, fn]) => measure(fn, 2500));
for (const [i, [, fn]] of decoders.entries()) results[i] = better(results[i]!, measure(fn, 2500));
console.log('spans/s                    per CPU-second  best request  per wall-second');
for (const [i, [name]] of decoders.entries()) {
  const r = results[i]!;
  console.log(`${name.padEnd(26)}${fmt(r.perCpuSecond)}  ${fmt(r.bestRequest)}  ${fmt(r.perWallSecond)}`);
}
console.log(
  `orrery / protobufjs, per CPU-second: x${(results[0]!.perCpuSecond / results[1]!.perCpuSecond).toFixed(2)}`,
);

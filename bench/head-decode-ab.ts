// The head's XOR chunk decoder's CPU per sample, in process: this build's decodeXorInto against
// another build's (a copy of an older dist/), over the chunks of the demo's series (the data
// bench:promql loads: counters, gauges and histograms with jittered timestamps and staleness
// markers), 120 samples a chunk as the head cuts them. Both decoders' output is compared sample
// by sample first (timestamps, value bits, staleness flags); then the two are alternated pass by
// pass so that load from other jobs falls on both alike. CPU time is the process's.
// Run: npm run -s build:server && cp -r dist /tmp/old-dist  (before a change), then after it:
//   node dist/bench/head-decode-ab.js --base /tmp/old-dist [--series 20000] [--passes 10]
import { loadavg } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { generateDemoData } from '../src/api/prometheus/testing/demo-data.js';
import { XorAppender, decodeXorInto } from '../src/tsdb/chunks/xor.js';
import { alternatedCpuMs } from './cpu-ab.js';

type Decoder = typeof decodeXorInto;

const { values } = parseArgs({
  options: {
    base: { type: 'string' },
    series: { type: 'string', default: '20000' },
    passes: { type: 'string', default: '10' },
  },
});
if (values.base === undefined) throw new Error('head-decode-ab: --base DIR (another build of dist/) is required');
const baseUrl = pathToFileURL(path.resolve(values.base, 'src', 'tsdb', 'chunks', 'xor.js')).href;
const base = ((await import(baseUrl)) as { decodeXorInto: Decoder }).decodeXorInto;

const CHUNK = 120;
const HOUR = 3_600_000;
const wanted = Number(values.series);
const chunks: { bytes: Uint8Array; count: number }[] = [];
let series = 0;
for (let k = 0; series < wanted; k++) {
  const data = generateDemoData({ start: Date.now() - HOUR, durationMs: HOUR, intervalMs: 10_000, seed: 1000 + k });
  for (const s of data.slice(0, wanted - series)) {
    let app = new XorAppender();
    for (let i = 0; i < s.t.length; i++) {
      if (s.stale?.[i] === 1) app.appendStale(s.t[i]!);
      else app.append(s.t[i]!, s.v[i]!);
      if (app.numSamples === CHUNK || i === s.t.length - 1) {
        chunks.push({ bytes: app.bytes().slice(), count: app.numSamples });
        app = new XorAppender();
      }
    }
    series++;
  }
}
const samples = chunks.reduce((n, c) => n + c.count, 0);
const T = new Float64Array(CHUNK);
const V = new Float64Array(CHUNK);
const S = new Uint8Array(CHUNK);
const VU = new Uint32Array(V.buffer);
const T2 = new Float64Array(CHUNK);
const V2 = new Float64Array(CHUNK);
const S2 = new Uint8Array(CHUNK);
const VU2 = new Uint32Array(V2.buffer);
for (const c of chunks) {
  const n = base(c.bytes, 0, c.count, -Infinity, Infinity, T, V, S, 0, VU);
  const m = decodeXorInto(c.bytes, 0, c.count, -Infinity, Infinity, T2, V2, S2, 0, VU2);
  let same = n === m && n === c.count;
  for (let i = 0; same && i < n; i++)
    same = T[i] === T2[i] && VU[2 * i] === VU2[2 * i] && VU[2 * i + 1] === VU2[2 * i + 1] && S[i] === S2[i];
  if (!same) throw new Error('head-decode-ab: the two builds decode a chunk differently');
}
const pass = (decode: Decoder) => (): void => {
  for (const c of chunks) decode(c.bytes, 0, c.count, -Infinity, Infinity, T, V, S, 0, VU);
};
const { base: b, current: t } = alternatedCpuMs(pass(base), pass(decodeXorInto), Number(values.passes));
console.log(
  `${series} demo series, ${chunks.length} head chunks, ${samples} samples, same answers; median CPU base ${b.toFixed(1)} ms, this ${t.toFixed(1)} ms, this/base ${(t / b).toFixed(2)} (${(samples / t / 1000).toFixed(1)} against ${(samples / b / 1000).toFixed(1)} M samples per CPU-second; load ${loadavg()[0]!.toFixed(1)})`,
);

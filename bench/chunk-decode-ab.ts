// The block XOR chunk decoder's CPU per sample, in process: this build's decodePromXorInto against
// another build's (a copy of an older dist/), over every XOR chunk of the blocks in a directory
// (for example the blocks `bench:promql --blocks-dir` keeps). Each decoder's output is compared
// sample by sample first (timestamps, value bits, staleness flags); then the two are alternated
// pass by pass so that load from other jobs falls on both alike. CPU time is the process's.
// Run: npm run -s build:server && cp -r dist /tmp/old-dist  (before a change), then after it:
//   node dist/bench/chunk-decode-ab.js --base /tmp/old-dist --blocks /tmp/blocksdata/20000 [--passes 10]
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { loadavg } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { decodePromXorInto, promXorNumSamples } from '../src/tsdb/block/xor.js';
import { alternatedCpuMs } from './cpu-ab.js';

type Decoder = typeof decodePromXorInto;

const { values } = parseArgs({
  options: {
    base: { type: 'string' },
    blocks: { type: 'string' },
    passes: { type: 'string', default: '10' },
  },
});
if (values.base === undefined || values.blocks === undefined)
  throw new Error('chunk-decode-ab: --base DIR (another build of dist/) and --blocks DIR are required');
const baseUrl = pathToFileURL(path.resolve(values.base, 'src', 'tsdb', 'block', 'xor.js')).href;
const base = ((await import(baseUrl)) as { decodePromXorInto: Decoder }).decodePromXorInto;

/** Prometheus's chunks file: 8 header bytes, then per chunk uvarint length, encoding byte, data, CRC-32C. */
function xorChunksOf(file: string): Uint8Array[] {
  const b = readFileSync(file);
  const out: Uint8Array[] = [];
  let p = 8;
  while (p < b.length) {
    let len = 0;
    let scale = 1;
    let c: number;
    do {
      c = b[p++]!;
      len += (c & 127) * scale;
      scale *= 128;
    } while (c >= 128 && p < b.length);
    if (len === 0) break;
    const encoding = b[p++]!;
    if (encoding === 1) out.push(b.subarray(p, p + len));
    p += len + 4;
  }
  return out;
}

function blockDirs(dir: string): string[] {
  const here = readdirSync(dir).map((n) => path.join(dir, n));
  return here.filter((d) => statSync(d).isDirectory() && readdirSync(d).includes('chunks'));
}

const blocks = blockDirs(values.blocks);
if (blocks.length === 0) throw new Error(`chunk-decode-ab: no block (a directory with chunks/) in ${values.blocks}`);

let most = 0;
for (const block of blocks) {
  const chunks = readdirSync(path.join(block, 'chunks')).flatMap((f) => xorChunksOf(path.join(block, 'chunks', f)));
  for (const c of chunks) most = Math.max(most, promXorNumSamples(c));
  const samples = chunks.reduce((n, c) => n + promXorNumSamples(c), 0);
  const T = new Float64Array(most);
  const VU = new Uint32Array(2 * most);
  const S = new Uint8Array(most);
  const T2 = new Float64Array(most);
  const VU2 = new Uint32Array(2 * most);
  const S2 = new Uint8Array(most);
  for (const c of chunks) {
    const n = base(c, -Infinity, Infinity, T, VU, 0, 0, S);
    const m = decodePromXorInto(c, -Infinity, Infinity, T2, VU2, 0, 0, S2);
    let same = n === m;
    for (let i = 0; same && i < n; i++)
      same = T[i] === T2[i] && VU[2 * i] === VU2[2 * i] && VU[2 * i + 1] === VU2[2 * i + 1] && S[i] === S2[i];
    if (!same) throw new Error(`chunk-decode-ab: the two builds decode a chunk of ${block} differently`);
  }
  const pass = (decode: Decoder) => (): void => {
    for (const c of chunks) decode(c, -Infinity, Infinity, T, VU, 0, 0, S);
  };
  const { base: b, current: t } = alternatedCpuMs(pass(base), pass(decodePromXorInto), Number(values.passes));
  console.log(
    `${path.basename(block)}: ${chunks.length} chunks, ${samples} samples, same answers; median CPU base ${b.toFixed(1)} ms, this ${t.toFixed(1)} ms, this/base ${(t / b).toFixed(2)} (${(samples / t / 1000).toFixed(1)} against ${(samples / b / 1000).toFixed(1)} M samples per CPU-second; load ${loadavg()[0]!.toFixed(1)})`,
  );
}

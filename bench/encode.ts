// Encoding speed of the trace store (src/traces/codec.ts RecordEncoder with its Dictionary):
// CPU per span to encode fresh demo-shaped requests (bench/demo-traces.ts: every ID, time and
// request ID new), optionally against another build of the same modules in the same process,
// alternated round by round, A B B A …, so that both see the same load.
//
//   node dist/bench/encode.js                                   (this build alone)
//   node dist/bench/encode.js --against /tmp/old/dist --rounds 30   (A = that build, B = this one)
//
// Each request is decoded (by this build's decoder, untimed) just before it is encoded, so every
// string is new and carries no hash, as in ingest; the first 30 requests warm the dictionary until
// every high-cardinality key has interned its share of values, the other 70 are timed.
import { loadavg } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from '../src/cli/args.js';
import { decodeTracesRequest } from '../src/otlp/decode-protobuf.js';
import type { Span } from '../src/otlp/model.js';
import * as thisCodec from '../src/traces/codec.js';
import type { Origin } from '../src/traces/catalogue.js';
import * as thisIntern from '../src/traces/intern.js';
import { Template } from './demo-traces.js';

type Codec = typeof thisCodec;
type Intern = typeof thisIntern;
type Batch = [traceId: string, spans: Span[], origins: Origin[]][];

const REQUESTS = 100;
const WARM = 30;

const { flags } = parseArgs(process.argv.slice(2), {
  against: { type: 'string', help: "another build's dist/ to compare with (A), alternated with this one (B)" },
  rounds: { type: 'int', default: 20, help: 'timed rounds (each subject once a round)' },
});
const rounds = flags.rounds;
const against = flags.against;

const templates = [new Template(512), new Template(512), new Template(512)];
const bodies: Buffer[] = [];
for (let i = 0; i < REQUESTS; i++) bodies.push(templates[i % 3]!.fresh(Date.now() - i * 1000));
// one origin for all: the encoder only stores its id
const ORIGIN = { id: 0 } as Origin;

/** Request i decoded anew and grouped by trace, as the store groups a batch. */
function decoded(i: number): Batch {
  const groups = new Map<string, { spans: Span[]; origins: Origin[] }>();
  for (const rs of decodeTracesRequest(bodies[i]!).resourceSpans)
    for (const ss of rs.scopeSpans)
      for (const s of ss.spans) {
        let g = groups.get(s.traceId);
        if (!g) groups.set(s.traceId, (g = { spans: [], origins: [] }));
        g.spans.push(s);
        g.origins.push(ORIGIN);
      }
  return [...groups].map(([id, g]) => [id, g.spans, g.origins]);
}

class Subject {
  readonly dict: thisIntern.Dictionary;
  readonly enc: thisCodec.RecordEncoder;
  /** per-span CPU figures summed over rounds, and how many */
  sumUs = 0;
  runs = 0;
  best = Infinity;
  constructor(codec: Codec, intern: Intern) {
    this.dict = new intern.Dictionary(1000);
    this.enc = new codec.RecordEncoder(this.dict);
  }
  /**
   * Encodes requests [from, to), one encoder batch each, each decoded just before (untimed), so
   * its spans are as fresh in the caches as in ingest; returns µs of CPU per span.
   */
  run(from: number, to: number): number {
    let spans = 0;
    let us = 0;
    for (let i = from; i < to; i++) {
      const batch = decoded(i);
      const t0 = process.cpuUsage();
      this.enc.begin();
      for (const [traceId, spansOf, origins] of batch) {
        this.enc.encode(traceId, spansOf, origins);
        spans += spansOf.length;
      }
      const c = process.cpuUsage(t0);
      us += c.user + c.system;
    }
    return us / spans;
  }
}

async function load(dist: string): Promise<Subject> {
  const url = (rel: string): string => pathToFileURL(path.resolve(dist, rel)).href;
  const codec = (await import(url('src/traces/codec.js'))) as Codec;
  const intern = (await import(url('src/traces/intern.js'))) as Intern;
  return new Subject(codec, intern);
}

const subjects: [string, Subject][] = [['B (this build)', new Subject(thisCodec, thisIntern)]];
if (against !== undefined) subjects.unshift([`A (${against})`, await load(against)]);

for (const [, s] of subjects) s.run(0, WARM);
const pairRatios: number[] = [];
for (let r = 0; r < rounds; r++) {
  const perSpan: number[] = [];
  const order = r % 2 === 0 ? subjects : [...subjects].reverse();
  for (const [, s] of order) {
    const us = s.run(WARM, REQUESTS);
    s.sumUs += us;
    s.runs++;
    s.best = Math.min(s.best, us);
    perSpan.push(us);
  }
  if (perSpan.length === 2) pairRatios.push(r % 2 === 0 ? perSpan[1]! / perSpan[0]! : perSpan[0]! / perSpan[1]!);
}

console.log(`${rounds} rounds of ${REQUESTS - WARM} fresh requests (${templates[0]!.spans}+ spans each)`);
for (const [name, s] of subjects)
  console.log(
    `${name}: ${(s.sumUs / s.runs).toFixed(3)} µs of CPU a span on average, best round ${s.best.toFixed(3)}; ${s.dict.strs.size} strings interned`,
  );
if (subjects.length === 2) {
  const [a, b] = [subjects[0]![1], subjects[1]![1]];
  pairRatios.sort((x, y) => x - y);
  const q = (f: number): string => pairRatios[Math.floor(f * (pairRatios.length - 1))]!.toFixed(3);
  // the same spans encoded the same way: any difference in words is a change of layout
  const same =
    a.enc.buf.len === b.enc.buf.len && a.enc.buf.u32.subarray(0, a.enc.buf.len).every((w, i) => w === b.enc.buf.u32[i]);
  console.log(
    `B/A: mean ${(b.sumUs / a.sumUs).toFixed(3)}, median of round pairs ${q(0.5)} (quartiles ${q(0.25)}–${q(0.75)}), best rounds ${(b.best / a.best).toFixed(3)}; last batch encoded to the same words: ${same}`,
  );
}
console.log(
  `load average ${loadavg()
    .map((x) => x.toFixed(1))
    .join(' ')}`,
);

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { labelsFromRecord, type Labels } from '../../labels/labels.js';
import { newMatcher } from '../../labels/matcher.js';
import { toPromChunks } from '../db.js';
import { CorruptError } from './encoding.js';
import { parseMeta } from './meta.js';
import { Block } from './reader.js';
import { BlockWriter, compareLabelsUtf8 } from './writer.js';

const T0 = 1_764_600_000_000;

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'orrery-block-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** Span-metrics-shaped series: a calls counter per service and status, 15 s apart with jitter. */
function writeSample(opts: { segmentBytes?: number } = {}): { dir: string; series: Labels[] } {
  const series: Labels[] = [];
  for (const service of ['cart', 'checkout', 'frontend', 'überweisung']) {
    for (const status of ['STATUS_CODE_ERROR', 'STATUS_CODE_UNSET']) {
      series.push(
        labelsFromRecord({ __name__: 'traces_span_metrics_calls_total', service_name: service, status_code: status }),
      );
    }
  }
  series.sort(compareLabelsUtf8);
  const w = new BlockWriter(dir, { minTime: T0, maxTime: T0 + 7_200_000, ...opts });
  series.forEach((labels, k) => {
    const n = 300;
    const t = new Float64Array(n);
    const v = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      t[i] = T0 + i * 15_000 + ((i * 7 + k) % 5);
      v[i] = i * (k + 1) + (k === 3 ? 0.25 : 0);
    }
    w.addSeries(labels, toPromChunks({ labels, t, v }));
  });
  const meta = w.finish();
  return { dir: path.join(dir, meta.ulid), series };
}

describe('a block written and read back', () => {
  it('keeps meta.json in Prometheus form: ulid, exclusive maxTime, stats, level 1 and itself as source', () => {
    const { dir: blockDir } = writeSample();
    const meta = parseMeta(readFileSync(path.join(blockDir, 'meta.json'), 'utf8'));
    expect(meta.ulid).toBe(path.basename(blockDir));
    expect(meta).toMatchObject({ minTime: T0, maxTime: T0 + 7_200_000, version: 1 });
    expect(meta.stats).toEqual({ numSamples: 8 * 300, numSeries: 8, numChunks: 8 * 3 });
    expect(meta.compaction).toEqual({ level: 1, sources: [meta.ulid] });
  });

  it('answers selects, series, label names and values through its own index', () => {
    const { dir: blockDir } = writeSample();
    const b = Block.open(blockDir);
    try {
      const errors = b.select([newMatcher('=', 'status_code', 'STATUS_CODE_ERROR')], T0, T0 + 3_600_000);
      expect(errors.map((s) => s.labels.find((l) => l.name === 'service_name')!.value)).toEqual([
        'cart',
        'checkout',
        'frontend',
        'überweisung',
      ]);
      // 15 s apart with up to 4 ms jitter: samples 0..240 fall within the first hour (inclusive)
      expect(errors[0]!.t.length).toBe(241);
      expect(errors[0]!.v[10]).toBe(10);
      expect(b.seriesLabels([newMatcher('=~', 'service_name', 'c.*')], T0, T0 + 10)).toHaveLength(4);
      expect(b.labelNames([], T0, T0 + 1).sort()).toEqual(['__name__', 'service_name', 'status_code']);
      expect(b.labelValues('status_code', [], T0, T0 + 1)).toEqual(['STATUS_CODE_ERROR', 'STATUS_CODE_UNSET']);
      // outside the block's range nothing is read
      expect(b.select([newMatcher('=', '__name__', 'traces_span_metrics_calls_total')], 0, T0 - 1)).toEqual([]);
    } finally {
      b.close();
    }
  });

  it('spreads chunks over several segment files when one fills, with refs naming the segment', () => {
    const { dir: blockDir } = writeSample({ segmentBytes: 2048 });
    const b = Block.open(blockDir);
    try {
      const all = b.select([newMatcher('!=', '__name__', '')], -Infinity, Infinity);
      expect(all).toHaveLength(8);
      for (const s of all) expect(s.t.length).toBe(300);
      expect(b.meta.stats.numChunks).toBe(24);
      expect([...b.allSeries()].some((s) => s.chunks.some((c) => c.ref >= 2 ** 32))).toBe(true);
    } finally {
      b.close();
    }
  });

  it('refuses a block whose index is damaged, and a chunk whose checksum fails when it is read', () => {
    const { dir: blockDir } = writeSample();
    const index = readFileSync(path.join(blockDir, 'index'));
    const damaged = Buffer.from(index);
    damaged[10] ^= 0xff; // inside the symbol table
    writeFileSync(path.join(blockDir, 'index'), damaged);
    expect(() => Block.open(blockDir)).toThrow(CorruptError);
    writeFileSync(path.join(blockDir, 'index'), index);

    const chunkFile = path.join(blockDir, 'chunks', '000001');
    const chunks = readFileSync(chunkFile);
    chunks[40] ^= 0xff;
    writeFileSync(chunkFile, chunks);
    const b = Block.open(blockDir);
    try {
      expect(() => b.select([newMatcher('!=', '__name__', '')], -Infinity, Infinity)).toThrow(CorruptError);
    } finally {
      b.close();
    }
  });

  it('reads the chunks of many series in few reads, apart where they lie far apart, with the same samples', () => {
    // 3,000 series of 2 chunks (about 2.5 MB of chunk data): every series, every 40th (selected
    // series over 4 KB apart: separate reads) and a run of neighbours are read back exactly.
    const series: Labels[] = [];
    for (let k = 0; k < 3000; k++) {
      series.push(labelsFromRecord({ __name__: 'x', inst: String(k).padStart(4, '0'), every40: String(k % 40 === 0) }));
    }
    series.sort(compareLabelsUtf8);
    const w = new BlockWriter(dir, { minTime: T0, maxTime: T0 + 7_200_000 });
    const written = new Map<string, { t: number[]; v: number[] }>();
    series.forEach((labels, k) => {
      const n = 240;
      const t = new Float64Array(n);
      const v = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        t[i] = T0 + i * 15_000 + ((i * 13 + k) % 7);
        v[i] = Math.sin(i + k) * 1e6 + k;
      }
      written.set(labels.find((l) => l.name === 'inst')!.value, { t: [...t], v: [...v] });
      w.addSeries(labels, toPromChunks({ labels, t, v }));
    });
    const b = Block.open(path.join(dir, w.finish().ulid));
    try {
      for (const [ms, count] of [
        [[newMatcher('=', '__name__', 'x')], 3000],
        [[newMatcher('=', 'every40', 'true')], 75],
        [[newMatcher('=~', 'inst', '01[0-9][0-9]')], 100],
      ] as const) {
        const got = b.select(ms, -Infinity, Infinity);
        expect(got.length).toBe(count);
        for (const s of got) {
          const sent = written.get(s.labels.find((l) => l.name === 'inst')!.value)!;
          expect({ t: [...s.t], v: [...s.v] }).toEqual(sent);
        }
      }
    } finally {
      b.close();
    }
  });

  it('refuses series out of label order', () => {
    const w = new BlockWriter(dir, { minTime: 0, maxTime: 10 });
    const t = Float64Array.of(1);
    const v = Float64Array.of(1);
    w.addSeries(labelsFromRecord({ __name__: 'b' }), toPromChunks({ labels: [], t, v }));
    expect(() => w.addSeries(labelsFromRecord({ __name__: 'a' }), toPromChunks({ labels: [], t, v }))).toThrow(
      /label order/,
    );
    w.abort();
  });
});

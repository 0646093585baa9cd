import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { labelsFromRecord, type Labels } from '../labels/labels.js';
import type { Querier, SeriesSamples } from '../storage/storage.js';
import { countingQuerier } from '../storage/testing/counting-querier.js';
import { Head } from '../tsdb/head.js';
import { Tsdb } from '../tsdb/db.js';
import { Engine } from './engine.js';
import { parseExpr } from './parser/parser.js';
import {
  SnapshotQuerier,
  snapshotTransferList,
  takeSnapshot,
  vectorSelectors,
  type SelectedSamples,
} from './snapshot.js';

const plain = (ss: SeriesSamples[]): unknown =>
  ss.map((s) => ({ labels: s.labels, t: [...s.t], v: [...s.v], stale: s.stale ? [...s.stale] : undefined }));

function head(): Head {
  const h = new Head();
  for (const job of ['b', 'a', 'c']) {
    const labels = labelsFromRecord({ __name__: 'up', job });
    for (let t = 0; t <= 600_000; t += 15_000) {
      if (job === 'c' && t === 300_000) h.appendStale(labels, t);
      else h.append(labels, t, t / 1000 + job.charCodeAt(0));
    }
  }
  return h;
}

describe('takeSnapshot and SnapshotQuerier', () => {
  it('hands the storage’s column arrays over as they are, and answers select() as the storage does', () => {
    const h = head();
    const selected: SeriesSamples[][] = [];
    const recording: Querier = {
      select: (ms, mint, maxt) => {
        const r = h.select(ms, mint, maxt);
        selected.push(r);
        return r;
      },
      series: () => [],
      labelNames: () => [],
      labelValues: () => [],
    };
    const expr = parseExpr('rate(up[1m])');
    const snap = takeSnapshot(recording, expr, 120_000, 480_000, 300_000);
    const data = snap.selectors[0] as SelectedSamples;
    // No copy: the snapshot's arrays are the select answer's own buffers.
    expect(data.t.buffer).toBe(selected[0]![0]!.t.buffer);
    expect(data.v.buffer).toBe(selected[0]![0]!.v.buffer);
    expect(snapshotTransferList(snap)).toContain(data.t.buffer);

    // The worker parses the query again: its selectors pair with the snapshot's by order.
    const again = parseExpr('rate(up[1m])');
    const q = new SnapshotQuerier(snap, again);
    const ms = vectorSelectors(again)[0]!.matchers;
    for (const [mint, maxt] of [
      [60_000, 480_000],
      [200_000, 310_000],
      [290_000, 300_000],
    ] as const) {
      const fromSnapshot = plain(q.select(ms, mint, maxt));
      // Flags only on a series holding a marker in the range, as the storage answers.
      expect(fromSnapshot).toEqual(plain(h.select(ms, mint, maxt)));
    }
    expect(q.outsideRange).toBe(0);
  });

  it('copies series that do not share one pair of arrays', () => {
    const a = labelsFromRecord({ __name__: 'up', job: 'a' });
    const b = labelsFromRecord({ __name__: 'up', job: 'b' });
    const own: SeriesSamples[] = [
      { labels: a, t: Float64Array.of(10, 20), v: Float64Array.of(1, 2) },
      { labels: b, t: Float64Array.of(15), v: Float64Array.of(3), stale: Uint8Array.of(1) },
    ];
    const querier: Querier = { select: () => own, series: () => [], labelNames: () => [], labelValues: () => [] };
    const expr = parseExpr('up');
    const snap = takeSnapshot(querier, expr, 20, 20, 300_000);
    expect((snap.selectors[0] as SelectedSamples).t.buffer).not.toBe(own[0]!.t.buffer);
    const q = new SnapshotQuerier(snap, expr);
    expect(plain(q.select(vectorSelectors(expr)[0]!.matchers, 0, 20))).toEqual([
      { labels: a, t: [10, 20], v: [1, 2], stale: undefined },
      { labels: b, t: [15], v: [3], stale: [1] },
    ]);
  });

  it('selects a metric once for selectors sharing it, and answers each selector as the storage does', () => {
    const h = head();
    const counting = countingQuerier(h);
    const query = 'sum(rate(up{job!="b"}[1m])) / sum(rate(up[1m])) + sum(rate(up[1m])) - rate(up{job=""}[1m])';
    const snap = takeSnapshot(counting, parseExpr(query), 120_000, 480_000, 300_000);
    // up{job!="b"}, up{job=""} and the second up read the first up's data.
    expect(snap.selectors.map((d) => (typeof d === 'number' ? d : 'data'))).toEqual([1, 'data', 1, 1]);
    expect(counting.reads).toEqual(['select']);
    expect(snapshotTransferList(snap)).toHaveLength(new Set(snapshotTransferList(snap)).size);

    const again = parseExpr(query);
    const q = new SnapshotQuerier(snap, again);
    for (const vs of vectorSelectors(again)) {
      for (const [mint, maxt] of [
        [60_000, 480_000],
        [290_000, 300_000],
      ] as const) {
        expect(plain(q.select(vs.matchers, mint, maxt))).toEqual(plain(h.select(vs.matchers, mint, maxt)));
      }
    }
    expect(q.outsideRange).toBe(0);
  });

  it('selects apart selectors over different ranges', () => {
    const h = head();
    const snap = takeSnapshot(
      h,
      parseExpr('rate(up{job="a"}[1m]) / rate(up[2m]) + up offset 1m'),
      120_000,
      480_000,
      300_000,
    );
    expect(snap.selectors.every((d) => typeof d !== 'number')).toBe(true);
  });
});

describe('encoded snapshots (Querier.selectEncoded) of a Tsdb with blocks and a head', () => {
  const HOUR = 3_600_000;
  const T0 = 1_764_000_000_000 - (1_764_000_000_000 % HOUR);
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'orrery-snapshot-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** Values with their bits (a staleness marker's NaN payload), flags and labels of a select or scan. */
  const exact = (s: SeriesSamples): unknown => ({
    labels: s.labels,
    t: [...s.t],
    v: [...new Uint32Array(s.v.slice().buffer)],
    stale: s.stale ? [...s.stale] : undefined,
  });

  it('answers select and scan exactly as the Tsdb does, over its range and narrower ones', async () => {
    let clock = T0;
    const db = new Tsdb({ dir, head: new Head({ now: () => clock }), blockDurationMs: HOUR, log: () => undefined });
    const series = (job: string): Labels => labelsFromRecord({ __name__: 'calls', job });
    // both: in the block and the head, whose chunk straddling the block's end both hold (overlap
    // in time), markers in each; blockOnly: ends with a marker before the block's end; headOnly:
    // starts after it.
    // 17 s apart: a chunk of 120 samples straddles the block's end
    for (let t = T0; t <= T0 + 2 * HOUR; t += 17_000) {
      clock = t;
      const k = (t - T0) / 17_000;
      if (k % 97 === 50) db.appendStale(series('both'), t);
      else db.append(series('both'), t, k * 1.5);
      if (t < T0 + HOUR / 2 - 17_000) db.append(series('blockOnly'), t, k);
      else if (t < T0 + HOUR / 2) db.appendStale(series('blockOnly'), t);
      if (t >= T0 + 1.5 * HOUR) db.append(series('headOnly'), t, 1e6 - k);
    }
    await db.maintain();
    expect(db.blockMetas()).toHaveLength(1);
    expect(db.head.minTime()).toBeLessThan(T0 + HOUR);

    const query = 'sum(rate(calls[5m])) / sum(rate(calls{job!="x"}[5m]))';
    const [start, end] = [T0 + 10 * 60_000, T0 + 2 * HOUR];
    const taken = takeSnapshot(db, parseExpr(query), start, end, 300_000);
    expect(taken.selectors.map((d) => (typeof d === 'number' ? d : 'chunks' in d))).toEqual([true, 0]);
    // as the pool posts it: buffers transferred to another thread
    const snap = structuredClone(taken, { transfer: snapshotTransferList(taken) });

    const again = parseExpr(query);
    const q = new SnapshotQuerier(snap, again);
    for (const vs of vectorSelectors(again)) {
      for (const [mint, maxt] of [
        [start - 300_000, end],
        [T0 + HOUR - 600_000, T0 + HOUR + 600_000],
        [T0 + 20 * 60_000, T0 + 40 * 60_000],
        [T0 + 1.6 * HOUR, T0 + 1.7 * HOUR],
      ] as const) {
        const want = db.select(vs.matchers, mint, maxt).map(exact);
        expect(want.length).toBeGreaterThan(0);
        expect(q.select(vs.matchers, mint, maxt).map(exact)).toEqual(want);
        const scanned: unknown[] = [];
        q.scan(vs.matchers, mint, maxt, (s) => void scanned.push(exact(s)));
        expect(scanned).toEqual(want);
        const fromDb: unknown[] = [];
        db.scan(vs.matchers, mint, maxt, (s) => void fromDb.push(exact(s)));
        expect(fromDb).toEqual(want);
      }
    }
    expect(q.outsideRange).toBe(0);
    // the series: all three over the whole range, with markers from the block and the head
    const all = db.select(vectorSelectors(again)[0]!.matchers, start - 300_000, end);
    expect(all.map((s) => s.labels)).toEqual(['both', 'blockOnly', 'headOnly'].sort().map(series));
    const markers = (s: SeriesSamples): number[] => [...s.t].filter((_, i) => s.stale?.[i] === 1);
    expect(markers(all[0]!)).toHaveLength(1);
    expect(markers(all[1]!).some((t) => t < T0 + HOUR) && markers(all[1]!).some((t) => t > T0 + HOUR)).toBe(true);
    expect(markers(all[2]!)).toEqual([]);

    // and a query over the snapshot answers as one over the Tsdb
    const engine = new Engine();
    expect(engine.rangeQueryExpr(q, again, start, end, 60_000)).toEqual(
      engine.rangeQuery(db, query, start, end, 60_000),
    );
    await db.shutdown();
  });
});

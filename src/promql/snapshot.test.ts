import { describe, expect, it } from 'vitest';
import { labelsFromRecord } from '../labels/labels.js';
import type { Querier, SeriesSamples } from '../storage/storage.js';
import { Head } from '../tsdb/head.js';
import { parseExpr } from './parser/parser.js';
import { SnapshotQuerier, snapshotTransferList, takeSnapshot, vectorSelectors, type SelectedSamples } from './snapshot.js';

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
    let selects = 0;
    const counting: Querier = {
      select: (ms, mint, maxt) => {
        selects++;
        return h.select(ms, mint, maxt);
      },
      series: () => [],
      labelNames: () => [],
      labelValues: () => [],
    };
    const query = 'sum(rate(up{job!="b"}[1m])) / sum(rate(up[1m])) + sum(rate(up[1m])) - rate(up{job=""}[1m])';
    const snap = takeSnapshot(counting, parseExpr(query), 120_000, 480_000, 300_000);
    // up{job!="b"}, up{job=""} and the second up read the first up's data.
    expect(snap.selectors.map((d) => (typeof d === 'number' ? d : 'data'))).toEqual([1, 'data', 1, 1]);
    expect(selects).toBe(1);
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

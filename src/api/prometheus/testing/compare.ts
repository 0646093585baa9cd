// Compares answers of the Prometheus HTTP API from Orrery and from a real Prometheus: the oracle of
// the differential test (test/prometheus-diff.test.ts) and of bench:promql, which must not time a
// wrong or empty answer. Series match by labels, values within Prometheus's test epsilon (1e-6
// relative, NaN = NaN).
import { almostEqual } from '../../../promql/test-runner.js';

/** An HTTP answer of a Prometheus API: status code and body. */
export interface Answer {
  status: number;
  body: string;
}

function parseVal(s: string): number {
  if (s === '+Inf') return Infinity;
  if (s === '-Inf') return -Infinity;
  return Number(s);
}

type Point = [number, string];
interface SeriesJson {
  metric: Record<string, string>;
  values?: Point[];
  value?: Point;
}

/** Returns undefined when the answers agree, else a description of the first differences. */
export function compareAnswers(orrery: Answer, prom: Answer): string | undefined {
  if (orrery.status !== prom.status)
    return `HTTP ${orrery.status} vs ${prom.status}: ${orrery.body.slice(0, 300)} | ${prom.body.slice(0, 300)}`;
  const o = JSON.parse(orrery.body) as {
    status: string;
    errorType?: string;
    error?: string;
    data?: { resultType: string; result: unknown };
  };
  const p = JSON.parse(prom.body) as typeof o;
  if (o.status !== 'success' || p.status !== 'success') {
    return o.errorType === p.errorType && o.error === p.error
      ? undefined
      : `error ${o.errorType}: ${o.error} | ${p.errorType}: ${p.error}`;
  }
  const od = o.data!;
  const pd = p.data!;
  if (od.resultType !== pd.resultType) return `resultType ${od.resultType} vs ${pd.resultType}`;
  if (od.resultType === 'scalar' || od.resultType === 'string') {
    const [ot, ov] = od.result as Point;
    const [pt, pv] = pd.result as Point;
    return ot === pt && (od.resultType === 'string' ? ov === pv : almostEqual(parseVal(ov), parseVal(pv)))
      ? undefined
      : `${JSON.stringify(od.result)} vs ${JSON.stringify(pd.result)}`;
  }
  const key = (m: Record<string, string>): string => JSON.stringify(Object.entries(m).sort());
  const om = new Map((od.result as SeriesJson[]).map((s) => [key(s.metric), s]));
  const pm = new Map((pd.result as SeriesJson[]).map((s) => [key(s.metric), s]));
  const problems: string[] = [];
  for (const k of pm.keys()) if (!om.has(k)) problems.push(`missing in Orrery: ${k}`);
  for (const k of om.keys()) if (!pm.has(k)) problems.push(`extra in Orrery: ${k}`);
  for (const [k, ps] of pm) {
    const os = om.get(k);
    if (!os) continue;
    const opts = os.values ?? (os.value ? [os.value] : []);
    const ppts = ps.values ?? (ps.value ? [ps.value] : []);
    const byT = new Map(opts.map(([t, v]) => [t, v]));
    let shown = 0;
    for (const [t, v] of ppts) {
      const ov = byT.get(t);
      byT.delete(t);
      if (ov === undefined) problems.push(`${k} @${t}: missing in Orrery (Prometheus ${v})`);
      else if (!almostEqual(parseVal(ov), parseVal(v))) problems.push(`${k} @${t}: Orrery ${ov} vs Prometheus ${v}`);
      else continue;
      if (++shown >= 3) break;
    }
    if (shown < 3) for (const [t, v] of byT) if (shown++ < 3) problems.push(`${k} @${t}: extra in Orrery (${v})`);
    if (problems.length > 8) break;
  }
  return problems.length === 0 ? undefined : problems.slice(0, 8).join('\n    ');
}

/**
 * Series with at least one point (1 for a scalar or string), or undefined for an error answer.
 * Two empty answers agree by default, so the queries here must return data on both sides.
 */
export function answerSize(answer: Answer): number | undefined {
  const j = JSON.parse(answer.body) as { status: string; data?: { resultType: string; result: unknown } };
  if (j.status !== 'success' || !j.data) return undefined;
  if (j.data.resultType === 'scalar' || j.data.resultType === 'string') return 1;
  return (j.data.result as SeriesJson[]).filter((s) => (s.values ? s.values.length > 0 : s.value !== undefined)).length;
}

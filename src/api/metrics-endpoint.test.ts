// GET /metrics in both formats a scraper may ask for: text 0.0.4 (checked by promtool 2.42) and
// OpenMetrics 1.0.0 with exemplars (checked against the spec's rules here, and by Prometheus
// 2.42's own OpenMetrics parser in a real scrape). Without /usr/bin/promtool or prometheus the
// checks that need them are skipped loudly, or fail when CI is set.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  EXPOSITION_CONTENT_TYPE,
  negotiateExposition,
  OPENMETRICS_CONTENT_TYPE,
} from '../exporters/prometheus/exposition.js';
import { createBackend, type Backend } from '../server/backend.js';
import { PROMETHEUS_BIN, startPrometheus, type PrometheusProcess } from './prometheus/testing/prometheus-process.js';

const PROMTOOL_BIN = '/usr/bin/promtool';
/** Prometheus 2.42's scrape Accept header. */
const PROMETHEUS_ACCEPT =
  'application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1';

/** Whether a tool is there; missing under CI is a failure, otherwise a loud skip. */
function toolPresent(bin: string, what: string): boolean {
  if (existsSync(bin)) return true;
  if (process.env['CI']) throw new Error(`${bin} is missing and CI is set: ${what} must run`);
  console.warn(`\n!!! ${bin} not found: SKIPPING ${what} (apt-get install prometheus) !!!\n`);
  return false;
}

const promtoolPresent = toolPresent(PROMTOOL_BIN, 'the promtool checks');
const prometheusPresent = toolPresent(PROMETHEUS_BIN, 'the real-Prometheus OpenMetrics scrape');

describe('negotiateExposition', () => {
  it("picks OpenMetrics 1.0.0 for Prometheus 2.42's Accept header", () => {
    expect(negotiateExposition(PROMETHEUS_ACCEPT).contentType).toBe(OPENMETRICS_CONTENT_TYPE);
  });
  it('honours q-values and versions, and falls back to text 0.0.4', () => {
    expect(negotiateExposition(undefined).contentType).toBe(EXPOSITION_CONTENT_TYPE);
    expect(negotiateExposition('text/plain;version=0.0.4').contentType).toBe(EXPOSITION_CONTENT_TYPE);
    expect(negotiateExposition('*/*').contentType).toBe(EXPOSITION_CONTENT_TYPE);
    expect(negotiateExposition('application/openmetrics-text').contentType).toBe(OPENMETRICS_CONTENT_TYPE);
    expect(negotiateExposition('application/openmetrics-text; version=0.0.1').contentType).toContain('0.0.1');
    expect(negotiateExposition('application/openmetrics-text;version=2.0.0').contentType).toBe(EXPOSITION_CONTENT_TYPE);
    expect(
      negotiateExposition('application/openmetrics-text;version=1.0.0;q=0.2,text/plain;version=0.0.4;q=0.9')
        .contentType,
    ).toBe(EXPOSITION_CONTENT_TYPE);
    expect(negotiateExposition('application/openmetrics-text;q=0,text/plain').contentType).toBe(
      EXPOSITION_CONTENT_TYPE,
    );
    expect(negotiateExposition('application/json').contentType).toBe(EXPOSITION_CONTENT_TYPE);
  });
});

interface OmFamily {
  type: string;
  unit?: string;
  help?: string;
  samples: { name: string; labels: string; value: string; exemplar?: string }[];
}

const NAME = '[a-zA-Z_:][a-zA-Z0-9_:]*';
const LABELS = `\\{(?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\\\\n]|\\\\[\\\\"n])*",?)*\\}`;
const SAMPLE_RE = new RegExp(`^(${NAME})(${LABELS})? (\\S+)(?: # (${LABELS}) (\\S+) (\\S+))?$`);

/** Parses an OpenMetrics text strictly enough to check the rules this backend must follow. */
function parseOpenMetrics(text: string): Map<string, OmFamily> {
  expect(text.endsWith('# EOF\n'), 'ends with # EOF').toBe(true);
  const lines = text.slice(0, -'# EOF\n'.length).split('\n').slice(0, -1);
  const families = new Map<string, OmFamily>();
  let current: { name: string; family: OmFamily } | undefined;
  for (const line of lines) {
    const meta = /^# (TYPE|UNIT|HELP) (\S+) (.*)$/.exec(line);
    if (meta) {
      const [, kind, name, rest] = meta as unknown as [string, string, string, string];
      if (kind === 'TYPE') {
        expect(families.has(name), `family ${name} appears once`).toBe(false);
        current = { name, family: { type: rest, samples: [] } };
        families.set(name, current.family);
      } else {
        expect(current?.name, `${kind} ${name} follows its TYPE`).toBe(name);
        if (kind === 'UNIT') current!.family.unit = rest;
        else current!.family.help = rest;
      }
      continue;
    }
    const m = SAMPLE_RE.exec(line);
    expect(m, `sample line: ${line}`).not.toBeNull();
    expect(current, `sample after a TYPE: ${line}`).toBeDefined();
    const [, name, labels = '', value, exLabels, exValue, exTs] = m!;
    current!.family.samples.push({
      name: name!,
      labels,
      value: value!,
      ...(exLabels !== undefined ? { exemplar: `${exLabels} ${exValue} ${exTs}` } : {}),
    });
  }
  return families;
}

function promtool(input: string): { status: number | null; problems: string[] } {
  const r = spawnSync(PROMTOOL_BIN, ['check', 'metrics'], { input, encoding: 'utf8' });
  return {
    status: r.status,
    problems: (r.stdout + r.stderr)
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l !== ''),
  };
}

describe('GET /metrics', () => {
  let backend: Backend;
  let base: string;
  let otlp: string;
  const dir = mkdtempSync(path.join(tmpdir(), 'orrery-metrics-'));
  const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';

  beforeAll(async () => {
    backend = createBackend({ port: 0, otlpHttpPort: 0, otlpGrpcPort: 0, consoleDir: dir });
    const { ports } = await backend.start();
    base = `http://127.0.0.1:${ports.api}`;
    otlp = `http://127.0.0.1:${ports.otlpHttp}/v1/traces`;
    const now = BigInt(Date.now()) * 1_000_000n;
    // Spans of 3 ms, 30 ms and 3 s, so exemplars land in three different buckets.
    const spans = [3, 30, 3000].map((ms, i) => ({
      traceId,
      spanId: `00f067aa0ba902b${i}`,
      name: 'GET /api/products',
      kind: 2,
      startTimeUnixNano: String(now - BigInt(ms) * 1_000_000n),
      endTimeUnixNano: String(now),
    }));
    const r = await fetch(otlp, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        resourceSpans: [
          {
            resource: { attributes: [{ key: 'service.name', value: { stringValue: 'frontend' } }] },
            scopeSpans: [{ spans }],
          },
        ],
      }),
    });
    expect(r.status).toBe(200);
  });
  afterAll(async () => {
    await backend.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const scrape = async (accept?: string): Promise<{ type: string; text: string }> => {
    const r = await fetch(`${base}/metrics`, { headers: accept === undefined ? {} : { accept } });
    expect(r.status).toBe(200);
    return { type: r.headers.get('content-type') ?? '', text: await r.text() };
  };

  it('answers OpenMetrics 1.0.0 to Prometheus, following the spec', async () => {
    const { type, text } = await scrape(PROMETHEUS_ACCEPT);
    expect(type).toBe(OPENMETRICS_CONTENT_TYPE);
    const families = parseOpenMetrics(text);
    expect(families.size).toBeGreaterThan(10);
    for (const [name, f] of families) {
      expect(f.help, `${name} has HELP`).toMatch(/\S/);
      if (f.unit !== undefined) expect(name.endsWith(`_${f.unit}`), `${name} ends in its unit`).toBe(true);
      const allowed =
        f.type === 'counter'
          ? [`${name}_total`, `${name}_created`]
          : f.type === 'histogram'
            ? [`${name}_bucket`, `${name}_sum`, `${name}_count`, `${name}_created`]
            : [name];
      for (const s of f.samples) expect(allowed, `${s.name} in ${f.type} ${name}`).toContain(s.name);
      for (const s of f.samples.filter((x) => x.exemplar !== undefined))
        expect(s.name.endsWith('_bucket') || s.name.endsWith('_total'), `exemplar on ${s.name}`).toBe(true);
    }
    expect(families.get('process_cpu_seconds')).toMatchObject({ type: 'counter', unit: 'seconds' });
    expect(families.get('traces_span_metrics_calls')?.type).toBe('counter');
    const duration = families.get('traces_span_metrics_duration_milliseconds')!;
    expect(duration).toMatchObject({ type: 'histogram', unit: 'milliseconds' });

    // Exemplars: one per bucket that saw a span, with the span's IDs, its value and a time in seconds.
    const withExemplar = duration.samples.filter((s) => s.exemplar !== undefined);
    expect(withExemplar.map((s) => /le="([^"]+)"/.exec(s.labels)![1])).toEqual(['4', '50', '5000']);
    const nowSec = Date.now() / 1000;
    for (const [i, s] of withExemplar.entries()) {
      const m = /^\{([^}]*)\} (\S+) (\d+\.\d{3})$/.exec(s.exemplar!);
      expect(m, s.exemplar).not.toBeNull();
      const labels = Object.fromEntries([...m![1]!.matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1], x[2]]));
      expect(labels).toEqual({ trace_id: traceId, span_id: `00f067aa0ba902b${i}` });
      expect(Number(m![2])).toBe([3, 30, 3000][i]);
      expect(Math.abs(Number(m![3]) - nowSec)).toBeLessThan(60);
    }
    // Buckets of one series in ascending le, none interleaved with another series.
    const les = duration.samples
      .filter((s) => s.name.endsWith('_bucket'))
      .map((s) => /le="([^"]+)"/.exec(s.labels)![1]);
    expect(les.at(-1)).toBe('+Inf');
    const nums = les.map((le) => (le === '+Inf' ? Infinity : Number(le)));
    expect([...nums].sort((a, b) => a - b)).toEqual(nums);
  });

  it('keeps the same series names in both formats', async () => {
    const names = (text: string): string[] =>
      [
        ...new Set(
          text
            .split('\n')
            .filter((l) => l !== '' && !l.startsWith('#'))
            .map((l) => /^[^{ ]+/.exec(l)![0]),
        ),
      ].sort();
    const text = (await scrape()).text;
    const om = (await scrape(PROMETHEUS_ACCEPT)).text;
    expect(names(om)).toEqual(names(text));
  });

  it('answers text 0.0.4 without an Accept header, with HELP on every family', async () => {
    const { type, text } = await scrape();
    expect(type).toBe(EXPOSITION_CONTENT_TYPE);
    expect(text).not.toContain('# EOF');
    expect(text).not.toContain(' # {');
    const typed = [...text.matchAll(/^# TYPE (\S+)/gm)].map((m) => m[1]);
    const helped = [...text.matchAll(/^# HELP (\S+)/gm)].map((m) => m[1]);
    expect(helped).toEqual(typed);
  });

  it.skipIf(!promtoolPresent)(
    'promtool check metrics finds nothing wrong with the 0.0.4 answer but the contract name',
    async () => {
      const { text } = await scrape();
      const r = promtool(text);
      // The one problem left is the contract's span-metrics name (the Collector's spanmetrics
      // connector with its default unit ms): promtool wants base units. Nothing else may appear.
      const contractName =
        'traces_span_metrics_duration_milliseconds use base unit "seconds" instead of "milliseconds"';
      expect(r.problems).toEqual([contractName]);
      expect(r.status).toBe(3);
      const withoutContractName = text
        .split('\n')
        .filter((l) => !l.includes('traces_span_metrics_duration_milliseconds'))
        .join('\n');
      expect(promtool(withoutContractName)).toEqual({ status: 0, problems: [] });
    },
  );

  it.skipIf(!promtoolPresent)(
    'promtool 2.42 reads only the 0.0.4 format: it stops at the first OpenMetrics exemplar',
    async () => {
      const r = promtool((await scrape(PROMETHEUS_ACCEPT)).text);
      expect(r.status).toBe(1);
      expect(r.problems.join('\n')).toContain('expected integer as timestamp, got "#"');
    },
  );

  it.skipIf(!prometheusPresent)(
    'Prometheus 2.42 scrapes the OpenMetrics answer: target up, exemplars stored',
    async () => {
      const prom: PrometheusProcess = await startPrometheus([], {
        scrapeInterval: '1s',
        scrapeConfigs: [
          '  - job_name: orrery',
          '    honor_labels: true',
          '    static_configs:',
          `      - targets: ['${new URL(base).host}']`,
        ].join('\n'),
      });
      try {
        const deadline = Date.now() + 30_000;
        let target: { health: string; lastError: string } | undefined;
        while (Date.now() < deadline) {
          const r = (await (await fetch(`${prom.url}/api/v1/targets`)).json()) as {
            data: { activeTargets: { health: string; lastError: string }[] };
          };
          target = r.data.activeTargets[0];
          if (target && target.health !== 'unknown') break;
          await new Promise((res) => setTimeout(res, 250));
        }
        expect(target, prom.log()).toMatchObject({ health: 'up', lastError: '' });
        let exemplars: { exemplars: { labels: Record<string, string> }[] }[] = [];
        while (Date.now() < deadline && exemplars.length === 0) {
          const q = encodeURIComponent('traces_span_metrics_duration_milliseconds_bucket');
          const r = (await (
            await fetch(`${prom.url}/api/v1/query_exemplars?query=${q}&start=0&end=${Date.now() / 1000 + 60}`)
          ).json()) as { data: typeof exemplars };
          exemplars = r.data;
          if (exemplars.length === 0) await new Promise((res) => setTimeout(res, 250));
        }
        expect(exemplars.flatMap((s) => s.exemplars.map((e) => e.labels['trace_id']))).toContain(traceId);
      } finally {
        await prom.stop();
      }
    },
    60_000,
  );
});

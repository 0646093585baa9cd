import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  advance,
  currentStep,
  describeCheck,
  readProgress,
  startProgress,
  toScenarioEntries,
  validateScenario,
} from './model.js';

const dir = join(import.meta.dirname, '../../../../scenarios');
const shipped = readdirSync(dir)
  .filter((f) => f.endsWith('.json'))
  .map((file) => ({ file, json: JSON.parse(readFileSync(join(dir, file), 'utf8')) as unknown }));

const step = (checks: unknown[]) => ({ title: 'T', explanation: 'E', link: { title: 'L', url: '/flags' }, checks });

describe('scenarios as data', () => {
  it('accepts every scenario shipped in scenarios/, one per demo flag, each ending with the flag off and what follows', () => {
    const entries = toScenarioEntries(shipped);
    expect(entries.filter((e) => e.error).map((e) => `${e.file}: ${e.error}`)).toEqual([]);
    const flags = entries.map((e) => e.scenario!.flag).sort();
    expect(flags).toEqual([
      'adServiceFailure',
      'cartServiceFailure',
      'paymentServiceFailure',
      'productCatalogFailure',
      'recommendationCache',
    ]);
    for (const e of entries) {
      const s = e.scenario!;
      expect(s.steps[0]!.checks).toContainEqual({ kind: 'flag', flag: s.flag, value: 'on' });
      expect(s.steps.at(-2)!.checks).toContainEqual({ kind: 'flag', flag: s.flag, value: 'off' });
      // what the switch-off changes is checked on what came after it
      expect(s.steps.at(-1)!.checks.every((c) => c.kind === 'promql' && c.afterMs > 0)).toBe(true);
    }
  });

  it("follows the seed's walkthrough for recommendationCache", () => {
    const leak = toScenarioEntries(shipped).find((e) => e.scenario?.flag === 'recommendationCache')!.scenario!;
    expect(leak.steps.map((s) => s.checks.map(describeCheck).join(' and '))).toEqual([
      'flag recommendationCache is on',
      expect.stringMatching(/^recommendationservice's resident memory grows.*, from 2m after the step before$/),
      'a page under /trace/ with a span of recommendationservice tagged app.cache_hit=false opened in the console',
      'the page /diagnosis/compare (service=recommendationservice) opened in the console',
      'flag recommendationCache is off',
      expect.stringMatching(
        /^recommendationservice's resident memory changes by less.*, from 2m after the step before$/,
      ),
    ]);
  });

  it('names every field at fault', () => {
    const r = validateScenario({
      id: 'bad id',
      title: '',
      flag: 'f',
      steps: [
        step([{ kind: 'flag', flag: 'f' }]),
        {
          ...step([{ kind: 'promql', expr: 'up' }, { kind: 'sql' }]),
          link: { title: 'x', url: 'https://evil.example/' },
        },
        step([]),
        step([{ kind: 'promql', expr: 'up', description: 'd', after: 'soon' }]),
      ],
    });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors.map((e) => `${e.path}: ${e.message}`)).toEqual(
      expect.arrayContaining([
        'id: may hold only letters, digits, _ and -',
        'title: must not be empty',
        'steps[0].checks[0].value: must be a string',
        'steps[1].link.url: must be an address inside the console (/…)',
        'steps[1].checks[0].description: must be a string',
        'steps[1].checks[1].kind: must be one of flag, promql, visit',
        'steps[2].checks: must hold at least one check',
        'steps[3].checks[0].after: must be a duration like 2m or 30s',
      ]),
    );
  });

  it('lists a broken file with its error beside the good ones, and refuses a second file with the same id', () => {
    const good = { id: 'a', title: 'A', flag: 'f', steps: [step([{ kind: 'flag', flag: 'f', value: 'on' }])] };
    const entries = toScenarioEntries([
      { file: 'a.json', json: good },
      { file: 'b.json', parseError: 'Unexpected end of JSON input' },
      { file: 'c.json', json: good },
    ]);
    expect(entries.map((e) => e.error ?? 'ok')).toEqual([
      'ok',
      'not valid JSON: Unexpected end of JSON input',
      'id: "a" is used by another file',
    ]);
  });
});

describe('scenario progress', () => {
  it('ticks steps in order, only from the first open one, and keeps a tick when its check stops holding', () => {
    let p = startProgress(4, 1000);
    p = advance(p, [false, true, true, false], 2000);
    expect(p.ticked).toEqual([null, null, null, null]);
    p = advance(p, [true, true, false, true], 3000);
    expect(p.ticked).toEqual([3000, 3000, null, null]);
    p = advance(p, [false, false, true, true], 4000);
    expect(p.ticked).toEqual([3000, 3000, 4000, 4000]);
    expect(currentStep(p)).toBe(4);
  });

  it('reads back a stored progress only when it fits the scenario', () => {
    const p = { startedAt: 5, ticked: [6, null] };
    expect(readProgress(JSON.stringify(p), 2)).toEqual(p);
    expect(readProgress(JSON.stringify(p), 3)).toBeUndefined();
    expect(readProgress(JSON.stringify({ startedAt: 5, ticked: [null, 6] }), 2)).toBeUndefined();
    expect(readProgress('{', 2)).toBeUndefined();
    expect(readProgress(null, 2)).toBeUndefined();
  });
});

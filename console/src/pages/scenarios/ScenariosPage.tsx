// Guided scenarios: the list (/scenarios) and one scenario (/scenarios/:id) whose steps are
// checked live against the running demo every few seconds and ticked, in order, when they hold.
// Progress lives in localStorage, so a reload or a trip to another page keeps it.
import { useQuery } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { Link, useParams } from 'react-router';
import { fetchScenarioFiles } from '../../api/scenarios.js';
import { errorMessage } from '../../api/queryClient.js';
import { evaluateSteps, type CheckResult } from './checks.js';
import {
  advance,
  currentStep,
  describeCheck,
  readProgress,
  startProgress,
  toScenarioEntries,
  type Progress,
  type Scenario,
  type ScenarioEntry,
} from './model.js';
import { loadVisits } from './visits.js';
import './scenarios.css';

const CHECK_INTERVAL_MS = 3000;

function useScenarios(): { entries: ScenarioEntry[] | undefined; error: string | undefined } {
  const q = useQuery({
    queryKey: ['scenarios'],
    queryFn: async ({ signal }) => toScenarioEntries(await fetchScenarioFiles(signal)),
  });
  return { entries: q.data, error: q.error ? errorMessage(q.error) : undefined };
}

const progressKey = (id: string): string => `orrery.scenario.${id}`;

function loadProgress(s: Scenario): Progress | undefined {
  try {
    return readProgress(window.localStorage.getItem(progressKey(s.id)), s.steps.length);
  } catch {
    return undefined;
  }
}

function saveProgress(id: string, p: Progress): void {
  try {
    window.localStorage.setItem(progressKey(id), JSON.stringify(p));
  } catch {
    /* storage refused: progress lasts as long as the page */
  }
}

export function ScenariosPage() {
  const { entries, error } = useScenarios();
  if (error) return <p className="panel-error">Could not load scenarios: {error}</p>;
  if (!entries) return <p className="muted">Loading…</p>;
  return (
    <section className="page scenarios">
      <h1>Scenarios</h1>
      <p className="muted">
        Guided walkthroughs of the demo&apos;s flags. Each step says what to look at and why, links to where it is done,
        and is ticked when the console sees it done.
      </p>
      {entries.length === 0 && <p className="muted">No scenarios in the scenarios/ folder.</p>}
      <ul className="scenario-list">
        {entries.map((e) =>
          e.scenario ? (
            <li key={e.file} data-scenario-id={e.scenario.id}>
              <Link to={`/scenarios/${encodeURIComponent(e.scenario.id)}`}>{e.scenario.title}</Link>
              <span className="muted">
                {' '}
                · flag {e.scenario.flag} · {e.scenario.steps.length} steps
                {progressText(e.scenario)}
              </span>
              <p className="muted">{e.scenario.description}</p>
            </li>
          ) : (
            <li key={e.file} className="panel-error" role="alert">
              Invalid scenario {e.file}: {e.error}
            </li>
          ),
        )}
      </ul>
    </section>
  );
}

function progressText(s: Scenario): string {
  const p = loadProgress(s);
  if (!p) return '';
  const done = currentStep(p);
  return done === s.steps.length ? ' · done' : ` · ${done} of ${s.steps.length} done`;
}

export function ScenarioPage() {
  const { id = '' } = useParams();
  const { entries, error } = useScenarios();
  if (error) return <p className="panel-error">Could not load scenarios: {error}</p>;
  if (!entries) return <p className="muted">Loading…</p>;
  const scenario = entries.find((e) => e.scenario?.id === id)?.scenario;
  if (!scenario) {
    return (
      <p className="panel-error" role="alert">
        No scenario with id &quot;{id}&quot;. <Link to="/scenarios">All scenarios</Link>
      </p>
    );
  }
  return <ScenarioView key={scenario.id} scenario={scenario} />;
}

function ScenarioView(props: { scenario: Scenario }) {
  const s = props.scenario;
  const [progress, setProgress] = useState<Progress>(() => {
    const p = loadProgress(s) ?? startProgress(s.steps.length, Date.now());
    saveProgress(s.id, p);
    return p;
  });
  const checks = useQuery({
    queryKey: ['scenario-checks', s.id, progress.startedAt, progress.ticked],
    queryFn: ({ signal }) =>
      evaluateSteps(
        s.steps,
        { sinceMs: progress.startedAt, nowMs: Date.now(), visits: loadVisits(), signal },
        progress.ticked,
      ),
    refetchInterval: CHECK_INTERVAL_MS,
    refetchIntervalInBackground: true,
    retry: false,
  });
  const results = checks.data;
  useEffect(() => {
    if (!results) return;
    setProgress((p) => {
      const next = advance(
        p,
        results.map((r) => r.every((c) => c.holds)),
        Date.now(),
      );
      if (next !== p) saveProgress(s.id, next);
      return next;
    });
  }, [results, s.id]);

  const current = currentStep(progress);
  const restart = (): void => {
    const p = startProgress(s.steps.length, Date.now());
    saveProgress(s.id, p);
    setProgress(p);
  };
  return (
    <section className="page scenario" data-scenario-id={s.id}>
      <p>
        <Link to="/scenarios">Scenarios</Link>
      </p>
      <h1>{s.title}</h1>
      <p className="muted">{s.description}</p>
      <div className="scenario-bar">
        <span className="scenario-summary" data-done={current} data-steps={s.steps.length}>
          {current === s.steps.length ? 'All steps done' : `${current} of ${s.steps.length} steps done`}
        </span>
        <span className="muted">started {new Date(progress.startedAt).toLocaleTimeString()}</span>
        <button type="button" onClick={restart}>
          Start over
        </button>
      </div>
      <ol className="scenario-steps">
        {s.steps.map((step, i) => {
          const ticked = progress.ticked[i] ?? null;
          const state = ticked !== null ? 'done' : i === current ? 'current' : 'pending';
          return (
            <li
              key={i}
              className={`scenario-step ${state}`}
              data-step={i + 1}
              data-state={state}
              aria-current={state === 'current' ? 'step' : undefined}
            >
              <h2>
                <span className="step-mark" aria-hidden="true">
                  {ticked !== null ? '✓' : i + 1}
                </span>{' '}
                {step.title}
              </h2>
              <p>{step.explanation}</p>
              <p>
                <Link to={step.link.url} className="step-link">
                  {step.link.title}
                </Link>
                {ticked !== null && (
                  <span className="step-ticked"> done at {new Date(ticked).toLocaleTimeString()}</span>
                )}
              </p>
              <ul className="step-checks">
                {step.checks.map((c, j) => (
                  <CheckLine key={j} text={describeCheck(c)} result={results?.[i]?.[j]} />
                ))}
              </ul>
            </li>
          );
        })}
      </ol>
      {checks.error && <p className="panel-error">Checks failed: {errorMessage(checks.error)}</p>}
    </section>
  );
}

function CheckLine(props: { text: string; result: CheckResult | undefined }) {
  const r = props.result;
  return (
    <li className="step-check" data-holds={r === undefined ? 'unknown' : String(r.holds)}>
      <span className="check-text">{props.text}</span>
      <span className="muted"> — {r === undefined ? 'checking…' : r.holds ? `yes (${r.detail})` : r.detail}</span>
    </li>
  );
}

// The LogQL box: one line of text, Enter runs it; inside a stream selector it offers the stream
// labels (after `{` or `,`) and a label's values (inside the quotes), both from the Loki API over
// the page's time range. Arrow keys move through the offers, Tab or Enter takes one, Escape closes.
import { useQuery } from '@tanstack/react-query';
import { useRef, useState } from 'react';
import { labelNames, labelValues } from '../../api/loki.js';
import { applyCompletion, completionAt, rankCompletions, type Completion } from './model.js';

export function LogQueryInput(props: {
  value: string;
  onChange: (v: string) => void;
  onRun: () => void;
  startMs: number;
  endMs: number;
}) {
  const input = useRef<HTMLInputElement>(null);
  const [cursor, setCursor] = useState<number | undefined>(undefined);
  const [active, setActive] = useState(0);
  const [closed, setClosed] = useState(true);
  const completion: Completion = cursor === undefined || closed ? { kind: 'none' } : completionAt(props.value, cursor);
  // the range, rounded to the minute, keeps the cache key steady while typing
  const start = Math.floor(props.startMs / 60_000) * 60_000;
  const end = Math.ceil(props.endMs / 60_000) * 60_000;
  const names = useQuery({
    queryKey: ['loki-labels', start, end],
    queryFn: ({ signal }) => labelNames(start, end, signal),
    enabled: completion.kind === 'label',
    staleTime: 30_000,
  });
  const valueLabel = completion.kind === 'value' ? completion.label : '';
  const values = useQuery({
    queryKey: ['loki-label-values', valueLabel, start, end],
    queryFn: ({ signal }) => labelValues(valueLabel, start, end, '', signal),
    enabled: valueLabel !== '',
    staleTime: 30_000,
  });
  const candidates =
    completion.kind === 'label' ? (names.data ?? []) : completion.kind === 'value' ? (values.data ?? []) : [];
  const offers = completion.kind === 'none' ? [] : rankCompletions(candidates, completion.prefix);
  const open = offers.length > 0;

  const take = (choice: string): void => {
    if (completion.kind === 'none' || cursor === undefined) return;
    const next = applyCompletion(props.value, cursor, completion, choice);
    props.onChange(next.text);
    setCursor(next.cursor);
    setActive(0);
    requestAnimationFrame(() => {
      input.current?.focus();
      input.current?.setSelectionRange(next.cursor, next.cursor);
    });
  };
  const track = (): void => {
    setCursor(input.current?.selectionStart ?? undefined);
    setClosed(false);
  };

  return (
    <div className="logs-query">
      <input
        ref={input}
        aria-label="LogQL query"
        role="combobox"
        aria-expanded={open}
        aria-controls="logs-completions"
        aria-autocomplete="list"
        spellCheck={false}
        autoComplete="off"
        value={props.value}
        placeholder='{service_name="recommendationservice"} |= "cache miss"'
        onChange={(e) => {
          props.onChange(e.target.value);
          setCursor(e.target.selectionStart ?? undefined);
          setClosed(false);
          setActive(0);
        }}
        onClick={track}
        onKeyUp={(e) => {
          if (e.key === 'ArrowLeft' || e.key === 'ArrowRight' || e.key === 'Home' || e.key === 'End') track();
        }}
        onBlur={() => setTimeout(() => setClosed(true), 150)}
        onKeyDown={(e) => {
          if (open && e.key === 'ArrowDown') {
            e.preventDefault();
            setActive((a) => (a + 1) % offers.length);
          } else if (open && e.key === 'ArrowUp') {
            e.preventDefault();
            setActive((a) => (a + offers.length - 1) % offers.length);
          } else if (open && (e.key === 'Tab' || e.key === 'Enter')) {
            e.preventDefault();
            take(offers[Math.min(active, offers.length - 1)]!);
          } else if (open && e.key === 'Escape') {
            setClosed(true);
          } else if (e.key === 'Enter') {
            setClosed(true);
            props.onRun();
          }
        }}
      />
      {open && (
        <ul id="logs-completions" className="logs-completions" role="listbox" aria-label="Completions">
          {offers.map((o, i) => (
            <li
              key={o}
              role="option"
              aria-selected={i === Math.min(active, offers.length - 1)}
              onMouseDown={(e) => {
                e.preventDefault();
                take(o);
              }}
            >
              {o}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

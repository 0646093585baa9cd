// The trace-ID box: type or paste an ID, Enter opens the trace (or its "not found" page).
import { useId, useState, type FormEvent } from 'react';
import { useNavigate } from 'react-router';

export function TraceIdLookup() {
  const [id, setId] = useState('');
  const inputId = useId();
  const navigate = useNavigate();
  const submit = (e: FormEvent): void => {
    e.preventDefault();
    const t = id.trim();
    if (t !== '') navigate(`/trace/${encodeURIComponent(t)}`);
  };
  return (
    <form className="trace-lookup" role="search" onSubmit={submit}>
      <label className="sr-only" htmlFor={inputId}>
        Lookup by Trace ID
      </label>
      <input id={inputId} placeholder="Lookup by Trace ID…" value={id} onChange={(e) => setId(e.target.value)} />
    </form>
  );
}

// The form pieces of a span search, shared by the trace search and the attribute comparison: the
// form's state (typed values, the errors of the last press, a check before it is handed on) and
// its fields (Service and Operation from the backend's lists, Tags, Lookback with its custom
// range, Min/Max Duration, any text field). Ids are `${prefix}-${field}`, an error's
// `${prefix}-${field}-error`, which the input names in aria-describedby.
import { useQuery } from '@tanstack/react-query';
import { useEffect, useState, type FormEvent } from 'react';
import { errorMessage } from '../api/queryClient.js';
import { fetchOperations, fetchServices } from '../api/traces.js';
import { LOOKBACKS, type DurationRange, type FieldErrorsOf, type SearchScope } from '../pages/search/form.js';

/** A form whose fields are all text as typed. */
type TextForm<F> = { readonly [K in keyof F]: string };

export interface FormState<F extends TextForm<F>> {
  /** what the inputs' ids begin with */
  readonly prefix: string;
  readonly form: F;
  /** what the last press found wrong, a field's error gone once it is edited */
  readonly errors: FieldErrorsOf<F>;
  set(field: keyof F & string, value: string): void;
  /** the form's onSubmit: checks the form, then shows what is wrong or hands it on */
  submit(e: FormEvent): void;
}

/** What a check says of a form: fine, or what is wrong by field. */
export type FormCheck<F> = { readonly ok: true } | { readonly ok: false; readonly errors: FieldErrorsOf<F> };

/**
 * The state of a form that starts from `initial` (and starts again when it changes: the URL
 * holds the submitted form); a new service clears the operation, which belongs to the old one.
 */
export function useFormState<F extends SearchScope & TextForm<F>>(
  prefix: string,
  initial: F,
  check: (form: F, nowMs: number) => FormCheck<F>,
  onSubmit: (form: F) => void,
): FormState<F> {
  const [form, setForm] = useState(initial);
  const [errors, setErrors] = useState<FieldErrorsOf<F>>({});
  useEffect(() => setForm(initial), [initial]);
  return {
    prefix,
    form,
    errors,
    set: (field, value) => {
      setForm((f) => ({ ...f, [field]: value, ...(field === 'service' ? { operation: '' } : {}) }));
      setErrors((e) => ({ ...e, [field]: undefined }));
    },
    submit: (e) => {
      e.preventDefault();
      const c = check(form, Date.now());
      setErrors(c.ok ? {} : c.errors);
      if (c.ok) onSubmit(form);
    },
  };
}

/** A field's error message, with the id its input names. */
export function FieldError(props: { id: string; error: string | undefined }) {
  if (!props.error) return null;
  return (
    <p id={props.id} className="field-error" role="alert">
      {props.error}
    </p>
  );
}

/** A labelled text input of the form, with its error. */
export function TextField<F extends TextForm<F>>(props: {
  state: FormState<F>;
  field: keyof F & string;
  label: string;
  placeholder: string;
}) {
  const { state, field } = props;
  const id = `${state.prefix}-${field}`;
  const error = state.errors[field];
  return (
    <div className="field">
      <label htmlFor={id}>{props.label}</label>
      <input
        id={id}
        value={state.form[field]}
        placeholder={props.placeholder}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? `${id}-error` : undefined}
        onChange={(e) => state.set(field, e.target.value)}
      />
      <FieldError id={`${id}-error`} error={error} />
    </div>
  );
}

/** A select of names from the backend, its count beside the label; a value not listed (yet) stays selectable. */
function NameSelect(props: {
  id: string;
  label: string;
  /** the text of the empty choice */
  none: string;
  value: string;
  names: readonly string[] | undefined;
  loadError: unknown;
  error: string | undefined;
  onChange: (value: string) => void;
}) {
  const names = props.names ?? [];
  return (
    <div className="field">
      <span className="field-label">
        <label htmlFor={props.id}>{props.label}</label> <span className="muted">({names.length})</span>
      </span>
      <select
        id={props.id}
        value={props.value}
        aria-invalid={props.error ? true : undefined}
        aria-describedby={props.error ? `${props.id}-error` : undefined}
        onChange={(e) => props.onChange(e.target.value)}
      >
        <option value="">{props.none}</option>
        {props.value !== '' && !names.includes(props.value) && <option value={props.value}>{props.value}</option>}
        {names.map((n) => (
          <option key={n} value={n}>
            {n}
          </option>
        ))}
      </select>
      {props.loadError !== null && (
        <p className="field-error">
          Could not load the {props.label.toLowerCase()}s: {errorMessage(props.loadError)}
        </p>
      )}
      <FieldError id={`${props.id}-error`} error={props.error} />
    </div>
  );
}

/** Service and Operation: the services the backend knows, the operations of the chosen one. */
export function ServiceFields<F extends SearchScope & TextForm<F>>(props: { state: FormState<F> }) {
  const { state } = props;
  const service = state.form.service;
  const services = useQuery({ queryKey: ['services'], queryFn: ({ signal }) => fetchServices(signal) });
  const operations = useQuery({
    queryKey: ['operations', service],
    queryFn: ({ signal }) => fetchOperations(service, signal),
    enabled: service !== '',
  });
  return (
    <>
      <NameSelect
        id={`${state.prefix}-service`}
        label="Service"
        none="Select a service"
        value={service}
        names={services.data}
        loadError={services.error}
        error={state.errors.service}
        onChange={(v) => state.set('service', v)}
      />
      <NameSelect
        id={`${state.prefix}-operation`}
        label="Operation"
        none="all"
        value={state.form.operation}
        names={operations.data}
        loadError={operations.error}
        error={state.errors.operation}
        onChange={(v) => state.set('operation', v)}
      />
    </>
  );
}

/** Tags: logfmt, as Jaeger's search writes them. */
export function TagsField<F extends SearchScope & TextForm<F>>(props: { state: FormState<F> }) {
  return <TextField state={props.state} field="tags" label="Tags" placeholder="http.status_code=200 error=true" />;
}

/** Lookback, or a custom range whose start and end (µs since the epoch) show when it is chosen. */
export function LookbackField<F extends SearchScope & TextForm<F>>(props: { state: FormState<F> }) {
  const { state } = props;
  const id = `${state.prefix}-lookback`;
  const error = state.errors.lookback;
  return (
    <>
      <div className="field">
        <label htmlFor={id}>Lookback</label>
        <select
          id={id}
          value={state.form.lookback}
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? `${id}-error` : undefined}
          onChange={(e) => state.set('lookback', e.target.value)}
        >
          {LOOKBACKS.map((l) => (
            <option key={l.value} value={l.value}>
              {l.label}
            </option>
          ))}
          <option value="custom">Custom range</option>
        </select>
        <FieldError id={`${id}-error`} error={error} />
      </div>
      {state.form.lookback === 'custom' && (
        <div className="field-pair">
          <TextField state={state} field="start" label="Start (µs)" placeholder="µs since the epoch" />
          <TextField state={state} field="end" label="End (µs)" placeholder="µs since the epoch" />
        </div>
      )}
    </>
  );
}

/** Min Duration and Max Duration, side by side. */
export function DurationFields<F extends DurationRange & TextForm<F>>(props: { state: FormState<F> }) {
  const placeholder = 'e.g. 1.2s, 100ms, 500us';
  return (
    <div className="field-pair">
      <TextField state={props.state} field="minDuration" label="Min Duration" placeholder={placeholder} />
      <TextField state={props.state} field="maxDuration" label="Max Duration" placeholder={placeholder} />
    </div>
  );
}

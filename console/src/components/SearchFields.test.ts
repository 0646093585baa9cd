import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { createElement, type ReactElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { DEFAULT_FORM, type FieldErrorsOf, type SearchForm } from '../pages/search/form.js';
import { DurationFields, LookbackField, ServiceFields, TagsField, TextField, type FormState } from './SearchFields.js';

/** A search form's state as a page holds it after a press: these values, these errors. */
function stateOf(form: Partial<SearchForm>, errors: FieldErrorsOf<SearchForm> = {}): FormState<SearchForm> {
  return {
    prefix: 'search',
    form: { ...DEFAULT_FORM, ...form },
    errors,
    set: () => undefined,
    submit: () => undefined,
  };
}

function html(element: ReactElement): string {
  const client = new QueryClient();
  return renderToStaticMarkup(createElement(QueryClientProvider, { client }, element));
}

describe('the shared search form fields', () => {
  it('a text field is labelled by its id; its error is named by the input and shown as an alert', () => {
    const state = stateOf({ tags: 'oops' }, { tags: '"oops" has no value: write oops=value' });
    const out = html(createElement(TagsField<SearchForm>, { state }));
    expect(out).toContain('<label for="search-tags">Tags</label>');
    expect(out).toMatch(
      /<input id="search-tags"[^>]* aria-invalid="true" aria-describedby="search-tags-error" value="oops"\/>/,
    );
    expect(out).toContain('<p id="search-tags-error" class="field-error" role="alert">&quot;oops&quot; has no value');
    const fine = html(
      createElement(TextField<SearchForm>, {
        state: stateOf({}),
        field: 'limit',
        label: 'Limit Results',
        placeholder: '20',
      }),
    );
    expect(fine).not.toContain('aria-invalid');
    expect(fine).not.toContain('role="alert"');
  });

  it('a typed value is text, never markup', () => {
    const out = html(createElement(TagsField<SearchForm>, { state: stateOf({ tags: '<b>x</b>' }) }));
    expect(out).toContain('value="&lt;b&gt;x&lt;/b&gt;"');
    expect(out).not.toContain('<b>');
  });

  it('a service or operation from the URL that the backend has not listed stays selectable', () => {
    const out = html(
      createElement(ServiceFields<SearchForm>, { state: stateOf({ service: 'cart', operation: 'GetCart' }) }),
    );
    expect(out).toContain('<label for="search-service">Service</label> <span class="muted">(0)</span>');
    expect(out).toContain('<option value="">Select a service</option><option value="cart" selected="">cart</option>');
    expect(out).toContain('<label for="search-operation">Operation</label>');
    expect(out).toContain('<option value="">all</option><option value="GetCart" selected="">GetCart</option>');
  });

  it('a missing service is an error of the Service select', () => {
    const out = html(createElement(ServiceFields<SearchForm>, { state: stateOf({}, { service: 'choose a service' }) }));
    expect(out).toMatch(/<select id="search-service"[^>]* aria-invalid="true" aria-describedby="search-service-error"/);
    expect(out).toContain('<p id="search-service-error" class="field-error" role="alert">choose a service</p>');
  });

  it('the lookback offers a custom range, whose start and end show only when it is chosen', () => {
    const relative = html(createElement(LookbackField<SearchForm>, { state: stateOf({ lookback: '15m' }) }));
    expect(relative).toContain('<option value="15m" selected="">Last 15 Minutes</option>');
    expect(relative).toContain('<option value="custom">Custom range</option>');
    expect(relative).not.toContain('search-start');
    const custom = html(
      createElement(LookbackField<SearchForm>, {
        state: stateOf(
          { lookback: 'custom', start: '9', end: '5' },
          { lookback: 'the custom range needs a start before its end (µs since the epoch)' },
        ),
      }),
    );
    expect(custom).toContain('<label for="search-start">Start (µs)</label>');
    expect(custom).toContain('<input id="search-end" placeholder="µs since the epoch" value="5"/>');
    expect(custom).toContain('<p id="search-lookback-error" class="field-error" role="alert">the custom range needs');
  });

  it('Min and Max Duration sit side by side, each with its own error', () => {
    const out = html(
      createElement(DurationFields<SearchForm>, {
        state: stateOf({ minDuration: '2s', maxDuration: '1s' }, { maxDuration: 'must not be below Min Duration' }),
      }),
    );
    expect(out).toMatch(
      /^<div class="field-pair"><div class="field"><label for="search-minDuration">Min Duration<\/label>/,
    );
    expect(out).toContain('<label for="search-maxDuration">Max Duration</label>');
    expect(out).not.toContain('search-minDuration-error');
    expect(out).toContain('<p id="search-maxDuration-error" class="field-error" role="alert">must not be below');
  });
});

// Explore's URL: every query of a panel (repeated `expr`), its unit, range and view, so "Open in
// Explore" carries the whole panel and an Explore view can be shared by copying the address.
import { UNITS, type Unit } from './dashboard.js';

export interface ExploreState {
  readonly exprs: readonly string[];
  readonly unit: Unit;
  readonly from: string;
  readonly to: string;
  readonly view: 'graph' | 'table';
}

export function exploreHref(s: Partial<ExploreState> & { readonly exprs: readonly string[] }): string {
  const params = new URLSearchParams();
  for (const e of s.exprs) params.append('expr', e);
  if (s.unit && s.unit !== 'short') params.set('unit', s.unit);
  if (s.from) params.set('from', s.from);
  if (s.to) params.set('to', s.to);
  if (s.view === 'table') params.set('view', 'table');
  return `/explore?${params.toString()}`;
}

export function readExploreParams(params: URLSearchParams): ExploreState {
  const unit = params.get('unit') ?? 'short';
  const exprs = params.getAll('expr');
  return {
    exprs: exprs.length > 0 ? exprs : [''],
    unit: (UNITS as readonly string[]).includes(unit) ? (unit as Unit) : 'short',
    from: params.get('from') ?? 'now-1h',
    to: params.get('to') ?? 'now',
    view: params.get('view') === 'table' ? 'table' : 'graph',
  };
}

/** The same parameters with the query list replaced (empty queries dropped). */
export function withExprs(params: URLSearchParams, exprs: readonly string[]): URLSearchParams {
  const next = new URLSearchParams(params);
  next.delete('expr');
  for (const e of exprs) if (e.trim() !== '') next.append('expr', e);
  return next;
}

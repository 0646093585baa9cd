import { PlaceholderPage } from '../../components/PlaceholderPage.js';

/** Trace search (Jaeger's search page); filled by the trace-search work of issue 12. */
export function SearchPage() {
  return <PlaceholderPage title="Traces" what="Jaeger-style trace search, scatter plot and results list" />;
}

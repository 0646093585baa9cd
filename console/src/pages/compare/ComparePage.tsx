import { PlaceholderPage } from '../../components/PlaceholderPage.js';

/** Two traces side by side; filled by the trace-compare work of issue 12. */
export function ComparePage() {
  return <PlaceholderPage title="Compare traces" what="two traces merged into one tree with their differences" />;
}

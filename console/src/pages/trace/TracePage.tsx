import { useParams } from 'react-router';
import { PlaceholderPage } from '../../components/PlaceholderPage.js';

/** One trace (Jaeger's trace page); filled by the trace-view work of issue 12. */
export function TracePage() {
  const { id = '' } = useParams();
  return <PlaceholderPage title={`Trace ${id}`} what="the trace's waterfall, span details and statistics" />;
}

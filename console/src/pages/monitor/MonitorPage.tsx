import { PlaceholderPage } from '../../components/PlaceholderPage.js';

export function MonitorPage() {
  return <PlaceholderPage title="Monitor" what="request rate, error rate and latency per service and operation" />;
}

import { PlaceholderPage } from '../../components/PlaceholderPage.js';

export function LoadPage() {
  return <PlaceholderPage title="Load" what="the load generator's users and per-endpoint statistics" />;
}

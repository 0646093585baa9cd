import { PlaceholderPage } from '../../components/PlaceholderPage.js';

export function FlagsPage() {
  return <PlaceholderPage title="Flags" what="feature flags with switches" />;
}

import { PlaceholderPage } from '../../components/PlaceholderPage.js';

export function ServiceMapPage() {
  return <PlaceholderPage title="Service Map" what="the services and the calls between them" />;
}

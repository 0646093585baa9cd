// Small clients of the backend's own endpoints: dashboards (raw JSON, validated by the console)
// and annotations (flag changes and restarts, drawn as chart markers).

export interface DashboardFile {
  readonly file: string;
  /** the parsed document, or undefined when the file is not JSON */
  readonly json?: unknown;
  readonly parseError?: string;
}

export async function fetchDashboards(signal?: AbortSignal): Promise<DashboardFile[]> {
  const res = await fetch('/api/dashboards', { signal });
  if (!res.ok) throw new Error(`GET /api/dashboards: HTTP ${res.status}`);
  const body = (await res.json()) as { data: DashboardFile[] };
  return body.data;
}

export interface Annotation {
  readonly id: number;
  readonly time: number;
  readonly timeEnd?: number;
  readonly tags: readonly string[];
  readonly text: string;
}

export async function fetchAnnotations(fromMs: number, toMs: number, signal?: AbortSignal): Promise<Annotation[]> {
  const res = await fetch(`/api/annotations?from=${Math.floor(fromMs)}&to=${Math.ceil(toMs)}`, { signal });
  if (!res.ok) return [];
  const body = (await res.json()) as unknown;
  // Accept both a bare array (Grafana's shape) and an envelope.
  const list = Array.isArray(body) ? body : (body as { data?: unknown }).data;
  return Array.isArray(list) ? (list as Annotation[]) : [];
}

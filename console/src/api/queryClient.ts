// One react-query client for the console: results are cached per query key, requests are
// cancelled through the signal react-query hands to each fetcher when a key is left, and a
// backend that is down or overloaded is retried and polled until it answers again, so every
// panel recovers by itself. A request the server refused (4xx: a bad query) is not retried.
import { QueryClient } from '@tanstack/react-query';

/** An Error's message, or the value as text: what a panel shows when its request fails. */
export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Whether a failure may pass by itself: no answer at all, or a 5xx / 429 from the server. */
export function isTransient(e: unknown): boolean {
  if (e instanceof TypeError) return true; // fetch's network failure
  const status = typeof e === 'object' && e !== null ? (e as { status?: unknown }).status : undefined;
  if (typeof status !== 'number') return false;
  return status >= 500 || status === 429 || status === 0;
}

/** While a query fails transiently, it is polled this often. */
export const RECOVERY_POLL_MS = 5_000;

export function createQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        retry: (failures, e) => failures < 2 && isTransient(e),
        retryDelay: 1000,
        refetchOnWindowFocus: false,
        staleTime: 5_000,
        refetchInterval: (q) => (q.state.status === 'error' && isTransient(q.state.error) ? RECOVERY_POLL_MS : false),
      },
    },
  });
}

/** A polling interval that shortens to the recovery poll while the query fails. */
export function pollEvery(ms: number): (q: { state: { status: string } }) => number {
  return (q) => (q.state.status === 'error' ? Math.min(ms, RECOVERY_POLL_MS) : ms);
}

// One react-query client for the console: results are cached per query key, requests are
// cancelled through the signal react-query hands to each fetcher when a key is left, and a
// failing backend is retried so panels recover by themselves.
import { QueryClient } from '@tanstack/react-query';

export function createQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        retry: 1,
        retryDelay: 1000,
        refetchOnWindowFocus: false,
        staleTime: 5_000,
      },
    },
  });
}

/** An Error's message, or the value as text: what a panel shows when its request fails. */
export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

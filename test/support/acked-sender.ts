// The sender of the kill -9 tests: posts OTLP/HTTP JSON requests one after another until told to
// stop or the server dies, and hands over what each request carried only when a 200 answered it,
// so that the test looks for exactly what was acknowledged.

/** One request: its JSON body and what a 200 acknowledges (trace spans, samples, log lines). */
export interface SentRequest<T> {
  readonly body: string;
  readonly items: T;
}

export interface AckedSenderOptions<T> {
  /** e.g. http://127.0.0.1:4318/v1/metrics */
  readonly url: string;
  /** the next request, or undefined when there is nothing more to send */
  readonly next: () => SentRequest<T> | undefined;
  /** called with a request's items once it was answered 200, with the response text */
  readonly onAck: (items: T, responseText: string) => void;
  /** set stopped to end the loop after the request in flight */
  readonly stop?: { readonly stopped: boolean };
}

/** Sends until stopped, out of requests, or the server is gone; resolves with the requests acknowledged. */
export async function sendAcked<T>(opts: AckedSenderOptions<T>): Promise<number> {
  let acked = 0;
  while (opts.stop?.stopped !== true) {
    const req = opts.next();
    if (req === undefined) break;
    let status: number;
    let text: string;
    try {
      const r = await fetch(opts.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: req.body,
      });
      status = r.status;
      text = await r.text();
    } catch {
      return acked; // killed
    }
    // refused (503/429) or invalid: not acknowledged, nothing to find later
    if (status !== 200) continue;
    acked++;
    opts.onAck(req.items, text);
  }
  return acked;
}

/**
 * Opens on the first acknowledged request, so that a kill "at a random moment of sending" comes
 * after the server answered something: on a loaded machine the first 200 can take longer than
 * the random delay itself.
 */
export interface FirstAck {
  /** resolves once open() was called (or after timeoutMs, so that a dead server still ends the round) */
  readonly opened: (timeoutMs: number) => Promise<void>;
  readonly open: () => void;
}

export function firstAck(): FirstAck {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return {
    open,
    opened: (timeoutMs) =>
      Promise.race([promise, new Promise<void>((resolve) => setTimeout(resolve, timeoutMs).unref())]),
  };
}

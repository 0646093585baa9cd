// The comparison worker (node:worker_threads): scores one transferred SpanColumns at a time and
// posts the Comparison back. The API thread only streams spans into columns; the scoring (sorts,
// Kolmogorov–Smirnov, counting every value of every key) runs here.
import { parentPort } from 'node:worker_threads';
import { SpanColumns } from './compare.js';
import type { FromCompareWorker, ToCompareWorker } from './compare-pool.js';

const port = parentPort;
if (!port) throw new Error('compare-worker.js runs only as a worker thread');

port.on('message', (msg: ToCompareWorker) => {
  let reply: FromCompareWorker;
  try {
    const comparison = SpanColumns.fromTransfer(msg.columns).compare(msg.selection);
    reply = { id: msg.id, ok: true, comparison };
  } catch (err) {
    reply = { id: msg.id, ok: false, message: err instanceof Error ? err.message : String(err) };
  }
  port.postMessage(reply);
});

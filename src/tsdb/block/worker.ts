// The block worker (node:worker_threads): runs one block job at a time (jobs.ts) so that index
// building, chunk encoding, file writes and fsync happen off the backend's event loop.
import { parentPort } from 'node:worker_threads';
import { compactBlocks, writeHeadChunksBlock } from './jobs.js';
import type { BlockJob, BlockJobReply } from './block-jobs.js';

const port = parentPort;
if (!port) throw new Error('the block worker runs only as a worker thread');

port.on('message', (msg: { id: number; job: BlockJob }) => {
  let reply: BlockJobReply;
  try {
    const job = msg.job;
    const meta =
      job.kind === 'cut'
        ? writeHeadChunksBlock(job.parentDir, job.minTime, job.maxTime, job.parts)
        : compactBlocks(job.parentDir, job.parents);
    reply = { id: msg.id, ok: true, meta: meta ?? null };
  } catch (e) {
    reply = { id: msg.id, ok: false, message: e instanceof Error ? e.message : String(e) };
  }
  port.postMessage(reply);
});

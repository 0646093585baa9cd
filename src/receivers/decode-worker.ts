// The decode worker (node:worker_threads): decodes one large export request off the event loop,
// then hands it back a piece at a time, each piece only when the receiver asks for the next one.
// Copying a whole 16 MB export back in one message would block the receiving thread longer than
// decoding it there (structured clone of the decoded objects costs more than the decode); piece
// by piece, the receiver's thread does a little work per event-loop turn and stays responsive.
import { parentPort } from 'node:worker_threads';
import { decodeExport } from './decode.js';
import type { FromDecodeWorker, ToDecodeWorker } from './decode-pool.js';
import { splitBatch, type Piece } from './split.js';
import type { ExportBatch } from './decode.js';

const port = parentPort;
if (!port) throw new Error('decode-worker.js runs only as a worker thread');

let job: { id: number; pieces: Piece<ExportBatch>[]; next: number } | undefined;

function post(msg: FromDecodeWorker): void {
  port!.postMessage(msg);
}

function sendNext(): void {
  if (!job) return;
  const piece = job.pieces[job.next++];
  const id = job.id;
  if (job.next >= job.pieces.length) job = undefined;
  if (piece) post({ kind: 'piece', id, batch: piece.batch, items: piece.items });
}

port.on('message', (msg: ToDecodeWorker) => {
  switch (msg.kind) {
    case 'decode': {
      job = undefined;
      const decoded = decodeExport(msg.signal, msg.format, msg.body);
      if (!decoded.ok) return post({ kind: 'invalid', id: msg.id, message: decoded.message });
      const pieces = splitBatch(msg.signal, decoded.batch, msg.pieceItems);
      post({ kind: 'decoded', id: msg.id, items: decoded.items, pieces: pieces.length, notes: decoded.notes });
      job = { id: msg.id, pieces, next: 0 };
      return sendNext();
    }
    case 'next':
      if (job?.id === msg.id) sendNext();
      return;
    case 'cancel':
      if (job?.id === msg.id) job = undefined;
      return;
  }
});

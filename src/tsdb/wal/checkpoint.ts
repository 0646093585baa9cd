// What a samples-WAL checkpoint holds: the head as it is, written as records of records.ts (every
// series with its chunks as the head keeps them, copied byte for byte, then exemplars and
// metadata). Replaying it rebuilds the same head; segments after it add what came later.
import type { CheckpointSink } from '../../wal/wal.js';
import { RecordWriter } from '../../wal/record-codec.js';
import type { Head } from '../head.js';
import { PendingRecord, RecordType, writeLabels, writeMetadata } from './records.js';

/** Records are handed to the sink in batches of about this size. */
const BATCH_BYTES = 1024 * 1024;

export interface HeadCheckpointStats {
  /** refs of the series written */
  readonly refs: number[];
  readonly chunks: number;
  readonly exemplars: number;
}

export function writeHeadCheckpoint(head: Head, sink: CheckpointSink): HeadCheckpointStats {
  const refs: number[] = [];
  let chunksWritten = 0;
  const series = new PendingRecord(RecordType.SERIES);
  let chunkRecords: Uint8Array[] = [];
  let pendingBytes = 0;
  const flush = (): void => {
    if (series.empty) return;
    sink.append([series.w.view(), ...chunkRecords]);
    series.reset();
    chunkRecords = [];
    pendingBytes = 0;
  };
  const w = new RecordWriter();
  head.forEachSeriesChunks((ref, labels, chunks) => {
    refs.push(ref);
    writeLabels(series.entry().uvarint(ref), labels);
    w.reset().u8(RecordType.CHUNKS).uvarint(ref);
    for (const c of chunks) w.bytes(c);
    chunkRecords.push(w.finish());
    chunksWritten += chunks.length;
    pendingBytes += w.length;
    if (pendingBytes + series.w.length >= BATCH_BYTES) flush();
  });
  flush();

  let exemplars = 0;
  const ex = new PendingRecord(RecordType.EXEMPLARS);
  // An empty matcher set matches every series.
  for (const { seriesLabels, exemplars: list } of head.selectExemplars([[]], -Infinity, Infinity)) {
    for (const e of list) {
      const ew = ex.entry();
      writeLabels(ew, seriesLabels);
      ex.time(e.t);
      ew.f64(e.value);
      writeLabels(ew, e.labels);
      exemplars++;
    }
    if (ex.w.length >= BATCH_BYTES) {
      sink.append(ex.w.view());
      ex.reset();
    }
  }
  if (!ex.empty) sink.append(ex.w.view());

  const meta = new PendingRecord(RecordType.METADATA);
  for (const [name, m] of head.metadata()) writeMetadata(meta.entry(), name, m);
  if (!meta.empty) sink.append(meta.w.view());
  return { refs, chunks: chunksWritten, exemplars };
}

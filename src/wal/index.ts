export {
  WriteAheadLog,
  fsyncDir,
  walMetricNames,
  segmentName,
  PROMETHEUS_WAL_METRICS,
  SEGMENT_HEADER,
  FRAME_HEADER_BYTES,
  MAX_RECORD_BYTES,
  DEFAULT_SEGMENT_BYTES,
  DEFAULT_FSYNC_INTERVAL_MS,
  type WalOptions,
  type WalMetricNames,
  type ReplayResult,
  type CheckpointResult,
  type CheckpointSink,
  type RecordVisitor,
} from './wal.js';
export { RecordWriter, RecordReader, RecordDecodeError } from './record-codec.js';
export { crc32c } from './crc32c.js';

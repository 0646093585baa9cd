export * from '../consumer/consumer.js';
export { fanOutLogs, fanOutMetrics, fanOutTraces } from './fanout.js';
export {
  MemoryLimiter,
  UNLIMITED_ADMISSION,
  type BodyReservation,
  type MemoryLimiterOptions,
  type MemoryState,
  type RequestAdmission,
} from './memory-limiter.js';
export { LogCounter } from './log-counter.js';
export { buildPipelines, type PipelineParts, type Pipelines } from './pipelines.js';

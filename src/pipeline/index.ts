export * from './consumer.js';
export { fanOutLogs, fanOutMetrics, fanOutTraces } from './fanout.js';
export { MemoryLimiter, type MemoryLimiterOptions } from './memory-limiter.js';
export { LogCounter } from './log-counter.js';
export { buildPipelines, type PipelineParts, type Pipelines } from './pipelines.js';

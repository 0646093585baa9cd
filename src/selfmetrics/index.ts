export { SelfMetrics, Counter, registerProcessMetrics, type ReceiverCounts, type SignalName } from './registry.js';

export { SelfMetrics, Counter, registerProcessMetrics, type SignalName } from './registry.js';

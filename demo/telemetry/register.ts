// The `--import` entry of every shop service:
//   node --import <root>/dist/demo/telemetry/register.js <root>/dist/demo/services/<name>/main.js
// It runs to completion (top-level await included) before the service's own module graph loads.
// Order matters: the import-in-the-middle loader hook must be registered before the SDK and its
// instrumentations are imported, and both before the service imports @grpc/grpc-js or node:http,
// so those ES-module imports come back wrapped and patchable.
import { register } from 'node:module';
import { HOOKED_MODULES } from './modules.js';

// `include` limits the loader to the modules an instrumentation patches: wrapping every module of
// the service would cost start-up time and memory for nothing.
register('@opentelemetry/instrumentation/hook.mjs', import.meta.url, { data: { include: [...HOOKED_MODULES] } });

const { startTelemetry } = await import('./sdk.js');
await startTelemetry();

// The shop's children for the supervisor: SHOP_SERVICES with the launch contract
//   node --max-semi-space-size=1 --optimize-for-size --import <guard> --import <register>
//        [--max-old-space-size=N] <root>/<entry>
// plus MALLOC_ARENA_MAX=2 (fewer glibc arenas: less RSS per process) and serviceEnv's variables.
import path from 'node:path';
import { SHOP_SERVICES, serviceEnv, type ServiceSpec } from '../topology.js';
import type { ChildSpec } from './supervisor.js';

export const DEFAULT_RECOMMENDATION_HEAP_MB = 512;

export interface ShopOptions {
  /** project root (holds dist/) */
  readonly root: string;
  readonly consolePort: number;
  readonly host?: string;
  /** heap limit of recommendationservice in MB (the leak ends in an OOM exit at this size) */
  readonly recommendationHeapMb?: number;
  /** heap limits of other services, MB */
  readonly heapLimitsMb?: Readonly<Record<string, number>>;
  /** extra variables for every service (applied before extraEnv) */
  readonly commonEnv?: Readonly<Record<string, string>>;
  /** extra variables for one service, e.g. ANNOTATIONS_URL for featureflagservice */
  readonly extraEnv?: Readonly<Record<string, Readonly<Record<string, string>>>>;
  /** services to run (default: all of SHOP_SERVICES) */
  readonly services?: readonly ServiceSpec[];
  /** override of the telemetry --import (tests) */
  readonly telemetryImport?: string;
}

// A child gets a clean environment; only these pass through from ours.
const PASSTHROUGH = ['PATH', 'HOME', 'TMPDIR', 'TZ', 'LANG', 'LC_ALL', 'SystemRoot'];

export function launchArgs(root: string, entry: string, heapMb?: number, telemetryImport?: string): string[] {
  return [
    '--max-semi-space-size=1',
    '--optimize-for-size',
    '--import',
    path.join(root, 'dist/demo/supervisor/child-guard.js'),
    '--import',
    telemetryImport ?? path.join(root, 'dist/demo/telemetry/register.js'),
    ...(heapMb ? [`--max-old-space-size=${heapMb}`] : []),
    path.join(root, entry),
  ];
}

export function shopChildren(o: ShopOptions): ChildSpec[] {
  const services = o.services ?? SHOP_SERVICES;
  const inherited: Record<string, string> = {};
  for (const k of PASSTHROUGH) {
    const v = process.env[k];
    if (v !== undefined) inherited[k] = v;
  }
  return services.map((spec) => {
    const env: Record<string, string> = {
      ...inherited,
      ...serviceEnv(spec, o.consolePort, o.host),
      MALLOC_ARENA_MAX: '2',
      ...o.commonEnv,
      ...(o.extraEnv?.[spec.name] ?? {}),
    };
    const heap =
      spec.name === 'recommendationservice'
        ? (o.recommendationHeapMb ?? DEFAULT_RECOMMENDATION_HEAP_MB)
        : o.heapLimitsMb?.[spec.name];
    const deps = [...new Set(Object.values(spec.peers))].filter((d) => services.some((s) => s.name === d));
    return {
      name: spec.name,
      args: launchArgs(o.root, spec.entry, heap, o.telemetryImport),
      env,
      port: Number(env.PORT),
      dependsOn: deps,
    };
  });
}

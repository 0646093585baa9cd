// Port layout. The console port P is the base: OTLP sits at P-3763 / P-3762, so the default
// P=8080 gives the standard 4317 (gRPC) and 4318 (HTTP), and any other P moves every port of a
// demo together. Services get P+10 onwards, in the order of SERVICES. Every derived port must stay
// below 32768 (Linux's ephemeral range makes higher ports fail at random with EADDRINUSE).

import { SERVICES } from './contract.js';

export const DEFAULT_CONSOLE_PORT = 8080;

export interface DemoPorts {
  readonly console: number;
  readonly otlpGrpc: number;
  readonly otlpHttp: number;
  /** gRPC or HTTP port of each service, by service.name */
  readonly services: Readonly<Record<string, number>>;
}

export function demoPorts(consolePort: number = DEFAULT_CONSOLE_PORT): DemoPorts {
  const otlpGrpc = consolePort - 3763;
  const last = consolePort + 10 + SERVICES.length;
  if (otlpGrpc < 1024 || last >= 32768) {
    throw new Error(`--port ${consolePort} is out of range: use a port from 4787 to ${32767 - 10 - SERVICES.length}`);
  }
  const services: Record<string, number> = {};
  SERVICES.forEach((name, i) => (services[name] = consolePort + 10 + i));
  return { console: consolePort, otlpGrpc, otlpHttp: otlpGrpc + 1, services };
}

// Where a service listens and where its peers are, from the environment the supervisor sets
// (demo/topology.ts serviceEnv). Without it (a service started by hand) the default demo's ports
// apply, so `node --import … dist/demo/services/x/main.js` still finds its peers.
import { SHOP_SERVICES } from '../../topology.js';
import { demoPorts } from '../../../src/names/ports.js';

export function serviceName(): string {
  return process.env.OTEL_SERVICE_NAME || 'unknown_service';
}

export function listenPort(): number {
  const raw = process.env.PORT;
  if (raw !== undefined && raw !== '') {
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 0 || n > 65535) throw new Error(`PORT=${raw} is not a port number`);
    return n;
  }
  const fallback = demoPorts().services[serviceName()];
  if (fallback === undefined) throw new Error('PORT is not set and OTEL_SERVICE_NAME names no shop service');
  return fallback;
}

/** The interface to listen on: HOST (as the flag service reads it), loopback by default. */
export function listenHost(): string {
  return process.env.HOST || '127.0.0.1';
}

/** host:port of a peer, e.g. peerAddr('PRODUCT_CATALOG_ADDR') → "127.0.0.1:8081" */
export function peerAddr(envName: string): string {
  const value = process.env[envName];
  if (value) return value;
  for (const spec of SHOP_SERVICES) {
    const peer = spec.peers[envName];
    const port = peer === undefined ? undefined : demoPorts().services[peer];
    if (port !== undefined) return `127.0.0.1:${port}`;
  }
  throw new Error(`${envName} is not set`);
}

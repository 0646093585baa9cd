// The exporters that send to other processes, built from the backend's configuration: OTLP
// forwarding (--forward-otlp) and remote write (--remote-write), with their sending queues on disk
// under <data-dir>/queues/ when a data directory is given (one directory per target, named after
// it, so reordering the flags keeps each queue with its target).
import path from 'node:path';
import { DiskQueueStore } from './queue/disk-store.js';
import { OtlpForwarder, OtlpForwarding, type ForwardQueueOptions } from './otlp/forwarder.js';
import type { OtlpTarget } from './otlp/target.js';
import { RemoteWriteExporter, type RemoteWriteOptions } from './remotewrite/exporter.js';

export interface OutboundConfig {
  /** --forward-otlp targets (parsed with parseOtlpTarget) */
  readonly forwardOtlp?: readonly OtlpTarget[];
  /** --forward-header: sent with every forwarded request */
  readonly forwardHeaders?: Readonly<Record<string, string>>;
  /** default 'gzip' */
  readonly forwardCompression?: 'gzip' | 'none';
  readonly forwardQueue?: ForwardQueueOptions;
  /** per attempt; default 10 s */
  readonly forwardTimeoutMs?: number;
  /** --remote-write and its options */
  readonly remoteWrite?: Omit<RemoteWriteOptions, 'store'>;
}

export interface Outbound {
  readonly forwarding: OtlpForwarding | undefined;
  readonly remoteWrite: RemoteWriteExporter | undefined;
}

function slug(text: string): string {
  return text.replace(/^[a-z]+:\/\//, '').replace(/[^A-Za-z0-9.-]+/g, '_');
}

export function buildOutbound(config: OutboundConfig, dataDir: string | undefined): Outbound {
  const queuesDir = dataDir !== undefined ? path.join(dataDir, 'queues') : undefined;
  const targets = config.forwardOtlp ?? [];
  const forwarding =
    targets.length === 0
      ? undefined
      : new OtlpForwarding(
          targets.map(
            (target, i) =>
              new OtlpForwarder({
                id: `${target.protocol === 'grpc' ? 'otlp' : 'otlphttp'}/${i}`,
                target,
                headers: config.forwardHeaders,
                compression: config.forwardCompression,
                timeoutMs: config.forwardTimeoutMs,
                queue: config.forwardQueue,
                ...(queuesDir !== undefined
                  ? {
                      store: (signal) =>
                        new DiskQueueStore({ dir: path.join(queuesDir, `otlp-${slug(target.display)}`, signal) }),
                    }
                  : {}),
              }),
          ),
        );
  const rw = config.remoteWrite;
  const remoteWrite =
    rw === undefined
      ? undefined
      : new RemoteWriteExporter({
          ...rw,
          ...(queuesDir !== undefined
            ? {
                store: (shard) =>
                  new DiskQueueStore({
                    dir: path.join(queuesDir, `remote-write-${slug(rw.url)}`, `shard-${shard}`),
                  }),
              }
            : {}),
        });
  return { forwarding, remoteWrite };
}

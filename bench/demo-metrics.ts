// Demo-shaped OTLP/protobuf metric requests for bench:ingest --wal: each sender connection owns a
// set of series (gauges named as the shop's runtime and RPC metrics, with service, instance, route
// and pod labels, the pod unique per series), and every send carries one point per series at a
// new timestamp (strictly increasing per connection) with a new random value: what a fleet of SDKs
// exporting every few seconds sends, with no sample ever repeated.
//
// As in bench/demo-traces.ts, a request is encoded once with random placeholders where the time
// and value go; each send copies it and rewrites those 16 bytes per point in place.
import { randomFillSync, randomUUID } from 'node:crypto';
import { Pb } from './demo-traces.js';

const METRICS = [
  'process_runtime_heap_bytes',
  'process_cpu_utilization',
  'rpc_server_active_requests',
  'http_server_active_requests',
  'db_client_connections_usage',
  'runtime_gc_pause_ratio',
  'app_cart_items',
  'app_queue_depth',
];
const SERVICES = [
  'frontend',
  'cartservice',
  'checkoutservice',
  'currencyservice',
  'paymentservice',
  'recommendationservice',
];

export class MetricsTemplate {
  readonly points: number;
  private readonly body: Buffer;
  /** offset of each point's 8 time bytes; its 8 value bytes follow the value field's tag */
  private readonly timeAt: number[] = [];
  private readonly valueAt: number[] = [];
  private lastMs = 0;

  /** `seriesPerMetric` series of each of the 8 metrics, labelled for connection `owner` */
  constructor(owner: number, seriesPerMetric: number) {
    const placeholders: Buffer[] = [];
    const ph = (): Buffer => {
      const b = randomFillSync(Buffer.alloc(8));
      placeholders.push(b);
      return b;
    };
    const kv = (key: string, value: string): Pb => new Pb().string(1, key).message(2, new Pb().string(1, value));
    const scope = new Pb().message(1, new Pb().string(1, 'orrery-bench'));
    for (const name of METRICS) {
      const gauge = new Pb();
      for (let i = 0; i < seriesPerMetric; i++) {
        const p = new Pb()
          .message(7, kv('service', SERVICES[i % SERVICES.length]!))
          .message(7, kv('instance', `conn-${owner}-${i % 7}`))
          .message(7, kv('route', `/api/${name.split('_')[1]}/${i % 13}`))
          .message(7, kv('pod', randomUUID()))
          .fixed64(3, ph())
          .fixed64(4, ph());
        gauge.message(1, p);
      }
      scope.message(2, new Pb().string(1, name).message(5, gauge));
    }
    const resource = new Pb().message(1, kv('service.name', `bench-${owner}`));
    this.body = new Pb().message(1, new Pb().message(1, resource).message(2, scope)).finish();
    let from = 0;
    for (let i = 0; i < placeholders.length; i += 2) {
      const t = this.body.indexOf(placeholders[i]!, from);
      const v = this.body.indexOf(placeholders[i + 1]!, t + 8);
      if (t < 0 || v < 0) throw new Error('metrics template: a placeholder was not found');
      this.timeAt.push(t);
      this.valueAt.push(v);
      from = v + 8;
    }
    this.points = this.timeAt.length;
  }

  /** A copy of the request with a new timestamp (ms, after the previous one) and new values. */
  fresh(nowMs: number): Buffer {
    const ms = Math.max(nowMs, this.lastMs + 1);
    this.lastMs = ms;
    const out = Buffer.from(this.body);
    const ns = BigInt(ms) * 1_000_000n;
    for (let i = 0; i < this.timeAt.length; i++) {
      out.writeBigUInt64LE(ns, this.timeAt[i]!);
      out.writeDoubleLE(Math.random() * 1000, this.valueAt[i]!);
    }
    return out;
  }
}

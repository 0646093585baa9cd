// Demo-shaped OTLP/protobuf trace requests for bench:ingest, fresh on every send: the shop's
// services, span names and attributes (HTTP and gRPC conventions, six kinds of user action as the
// load generator runs them), and values that real traffic never repeats — trace and span IDs,
// timestamps, durations, a request ID on every span, user, session, order, transaction and tracking
// IDs, products, amounts. Replaying a few fixed requests would let the store's string interning
// look better than it is on real data.
//
// Encoding protobuf per span would make the sender the bottleneck, so each request is encoded
// once as a template whose variable fields have fixed widths; before each send the template is
// copied and every variable field rewritten in place (Template.fresh).
import { randomFillSync } from 'node:crypto';
import { PRODUCT_IDS } from '../src/names/contract.js';

// ---- a minimal protobuf writer (field numbers from opentelemetry-proto v1; bench/demo-metrics.ts uses it too) ----

export class Pb {
  private parts: Buffer[] = [];
  private len = 0;
  private push(b: Buffer): this {
    this.parts.push(b);
    this.len += b.length;
    return this;
  }
  private varint(n: number): Buffer {
    const out: number[] = [];
    while (n > 127) {
      out.push((n & 127) | 128);
      n = Math.floor(n / 128);
    }
    out.push(n);
    return Buffer.from(out);
  }
  tag(field: number, wire: number): this {
    return this.push(this.varint(field * 8 + wire));
  }
  bytes(field: number, b: Buffer): this {
    return this.tag(field, 2).push(this.varint(b.length)).push(b);
  }
  string(field: number, s: string): this {
    return s === '' ? this : this.bytes(field, Buffer.from(s, 'utf8'));
  }
  message(field: number, m: Pb): this {
    return this.bytes(field, m.finish());
  }
  /** a varint field, omitted when 0 (proto3 default) */
  uint(field: number, n: number): this {
    return n === 0 ? this : this.varintField(field, n);
  }
  /** a varint field written even when 0 (inside a oneof, presence matters) */
  varintField(field: number, n: number): this {
    return this.tag(field, 0).push(this.varint(n));
  }
  fixed64(field: number, b: Buffer): this {
    return this.tag(field, 1).push(b);
  }
  finish(): Buffer {
    return Buffer.concat(this.parts, this.len);
  }
}

// ---- values that change on every send ----

/** A field rewritten before each send; `width` bytes at a place found after encoding. */
type Slot =
  | { readonly kind: 'id'; readonly width: number } // random base-36 text, new per span
  | { readonly kind: 'perTrace'; readonly name: string; readonly width: number } // shared by a trace's spans
  | { readonly kind: 'product' } // one of the catalog's product IDs, per trace
  | { readonly kind: 'amount' }; // a double (order amount), per trace

type Part = string | Slot;
type Attr = string | number | boolean | Slot | readonly Part[];

const id = (width = 12): Slot => ({ kind: 'id', width });
const perTrace = (name: string, width: number): Slot => ({ kind: 'perTrace', name, width });
const PRODUCT: Slot = { kind: 'product' };
const AMOUNT: Slot = { kind: 'amount' };
const USER = perTrace('user', 8);
const SESSION = perTrace('session', 16);

interface SpanSpec {
  readonly service: string;
  readonly name: string;
  readonly kind: number; // 1 internal, 2 server, 3 client
  readonly parent: number; // index in the trace, -1 for the root
  readonly startMs: number;
  readonly durMs: number;
  readonly attrs: Readonly<Record<string, Attr>>;
  readonly error?: string;
}

const rnd = (lo: number, hi: number): number => lo + Math.random() * (hi - lo);

class TraceBuilder {
  readonly spans: SpanSpec[] = [];
  add(s: SpanSpec): number {
    // Every span carries one value no other span has, as real request-scoped attributes do.
    this.spans.push({ ...s, attrs: { ...s.attrs, 'app.request.id': id() } });
    return this.spans.length - 1;
  }
  /** A gRPC call: the client span in `from`, the server span in `to`; returns the server span. */
  grpc(parent: number, from: string, to: string, method: string, startMs: number, durMs: number): number {
    const service = `hipstershop.${to}`;
    const name = `${service}/${method}`;
    const attrs = {
      'rpc.system': 'grpc',
      'rpc.service': service,
      'rpc.method': method,
      'rpc.grpc.status_code': 0,
    };
    const client = this.add({
      service: from,
      name,
      kind: 3,
      parent,
      startMs,
      durMs: durMs + 1,
      attrs: { ...attrs, 'server.address': to.toLowerCase(), 'server.port': 8080, 'network.peer.port': 8080 },
    });
    return this.add({
      service: to.toLowerCase(),
      name,
      kind: 2,
      parent: client,
      startMs: startMs + 0.4,
      durMs,
      attrs: { ...attrs, 'network.peer.address': '127.0.0.1' },
    });
  }
  /** The load generator's request and the frontend's server span for it; returns the server span. */
  http(task: string, method: string, route: string, url: readonly Part[], status: number, durMs: number): number {
    const root = this.add({
      service: 'loadgenerator',
      name: `user ${task}`,
      kind: 1,
      parent: -1,
      startMs: 0,
      durMs: durMs + 3,
      attrs: { 'session.id': SESSION, 'app.user.id': USER, 'locust.task': task },
    });
    const client = this.add({
      service: 'loadgenerator',
      name: method,
      kind: 3,
      parent: root,
      startMs: 0.5,
      durMs: durMs + 2,
      attrs: {
        'http.request.method': method,
        'url.full': ['http://frontend:8080', ...url],
        'server.address': 'frontend',
        'server.port': 8080,
        'http.response.status_code': status,
      },
    });
    return this.add({
      service: 'frontend',
      name: `${method} ${route}`,
      kind: 2,
      parent: client,
      startMs: 1,
      durMs,
      attrs: {
        'http.request.method': method,
        'http.route': route,
        'url.path': url.slice(
          0,
          url.findIndex((p) => typeof p === 'string' && p.startsWith('?')) >>> 0, // >>> 0: -1 → all
        ),
        'http.response.status_code': status,
        'network.protocol.version': '1.1',
        'user_agent.original': 'python-requests/2.31.0',
        'client.address': '127.0.0.1',
        'app.session.id': SESSION,
      },
    });
  }
}

/** The load generator's tasks with their weights (demo/loadgen/tasks.ts), as trace shapes. */
const SHAPES: readonly { weight: number; build: (b: TraceBuilder) => void }[] = [
  {
    weight: 10, // browse_product
    build: (b) => {
      const d = rnd(8, 40);
      const fe = b.http('browse_product', 'GET', '/api/products/:id', ['/api/products/', PRODUCT], 200, d);
      const pc = b.grpc(fe, 'frontend', 'ProductCatalogService', 'GetProduct', 2, d * 0.3);
      b.add({ service: 'productcatalogservice', name: 'load catalog', kind: 1, parent: pc, startMs: 2.5, durMs: d * 0.1, attrs: { 'app.product.id': PRODUCT } }); // prettier-ignore
      b.grpc(fe, 'frontend', 'CurrencyService', 'Convert', 3 + d * 0.3, d * 0.2);
    },
  },
  {
    weight: 3, // get_recommendations
    build: (b) => {
      const d = rnd(20, 120);
      const fe = b.http('get_recommendations', 'GET', '/api/recommendations', ['/api/recommendations', '?productIds=', PRODUCT], 200, d); // prettier-ignore
      const rs = b.grpc(fe, 'frontend', 'RecommendationService', 'ListRecommendations', 2, d * 0.8);
      const gpl = b.add({
        service: 'recommendationservice',
        name: 'get_product_list',
        kind: 1,
        parent: rs,
        startMs: 3,
        durMs: d * 0.7,
        attrs: {
          'app.recommendation.cache_enabled': Math.random() < 0.5,
          'app.cache_hit': Math.random() < 0.3,
          'app.products.count': 10,
          'app.filtered_products.count': 5,
          'app.products_recommended.count': 5,
        },
      });
      b.grpc(gpl, 'recommendationservice', 'ProductCatalogService', 'ListProducts', 4, d * 0.5);
      b.grpc(fe, 'frontend', 'AdService', 'GetAds', 3 + d * 0.8, d * 0.1);
    },
  },
  {
    weight: 3, // get_ads
    build: (b) => {
      const d = rnd(5, 30);
      const fe = b.http('get_ads', 'GET', '/api/data', ['/api/data', '?contextKeys=', PRODUCT], 200, d);
      const ad = b.grpc(fe, 'frontend', 'AdService', 'GetAds', 2, d * 0.7);
      const error = Math.random() < 0.05 ? '13 INTERNAL: ad service failure' : undefined;
      b.add({ service: 'adservice', name: 'getRandomAds', kind: 1, parent: ad, startMs: 2.5, durMs: d * 0.3, attrs: { 'app.ads.count': 2, 'app.ads.ad_request_type': 'NOT_TARGETED' }, error }); // prettier-ignore
    },
  },
  {
    weight: 3, // view_cart
    build: (b) => {
      const d = rnd(10, 50);
      const fe = b.http('view_cart', 'GET', '/api/cart', ['/api/cart', '?sessionId=', SESSION], 200, d);
      b.grpc(fe, 'frontend', 'CartService', 'GetCart', 2, d * 0.3);
      b.grpc(fe, 'frontend', 'ProductCatalogService', 'GetProduct', 3 + d * 0.3, d * 0.2);
      b.grpc(fe, 'frontend', 'CurrencyService', 'Convert', 4 + d * 0.5, d * 0.1);
    },
  },
  {
    weight: 2, // add_to_cart
    build: (b) => {
      const d = rnd(10, 60);
      const fe = b.http('add_to_cart', 'POST', '/api/cart', ['/api/cart'], 200, d);
      b.grpc(fe, 'frontend', 'ProductCatalogService', 'GetProduct', 2, d * 0.3);
      const cart = b.grpc(fe, 'frontend', 'CartService', 'AddItem', 3 + d * 0.3, d * 0.4);
      b.add({ service: 'cartservice', name: 'HSET', kind: 3, parent: cart, startMs: 4 + d * 0.3, durMs: d * 0.1, attrs: { 'db.system': 'redis', 'db.operation': 'HSET', 'app.user.id': USER, 'app.product.id': PRODUCT, 'app.product.quantity': 1 } }); // prettier-ignore
    },
  },
  {
    weight: 2, // checkout, checkout_multi
    build: (b) => {
      const d = rnd(80, 300);
      const fe = b.http('checkout', 'POST', '/api/checkout', ['/api/checkout'], Math.random() < 0.05 ? 500 : 200, d);
      const co = b.grpc(fe, 'frontend', 'CheckoutService', 'PlaceOrder', 2, d * 0.9);
      b.grpc(co, 'checkoutservice', 'CartService', 'GetCart', 3, d * 0.05);
      b.grpc(co, 'checkoutservice', 'ProductCatalogService', 'GetProduct', 4 + d * 0.05, d * 0.05);
      b.grpc(co, 'checkoutservice', 'CurrencyService', 'Convert', 5 + d * 0.1, d * 0.05);
      const sq = b.grpc(co, 'checkoutservice', 'ShippingService', 'GetQuote', 6 + d * 0.15, d * 0.1);
      b.add({ service: 'quoteservice', name: 'calculate-quote', kind: 2, parent: sq, startMs: 6.5 + d * 0.15, durMs: d * 0.05, attrs: { 'app.quote.items.count': 2, 'app.quote.cost.total': AMOUNT } }); // prettier-ignore
      const pay = b.grpc(co, 'checkoutservice', 'PaymentService', 'Charge', 7 + d * 0.25, d * 0.2);
      b.add({ service: 'paymentservice', name: 'charge', kind: 1, parent: pay, startMs: 7.5 + d * 0.25, durMs: d * 0.1, attrs: { 'app.payment.card_type': 'visa', 'app.payment.card_valid': true, 'app.payment.amount': AMOUNT, 'app.payment.transaction.id': perTrace('transaction', 36) } }); // prettier-ignore
      b.grpc(co, 'checkoutservice', 'ShippingService', 'ShipOrder', 8 + d * 0.45, d * 0.1);
      b.grpc(co, 'checkoutservice', 'EmailService', 'SendOrderConfirmation', 9 + d * 0.55, d * 0.2);
      b.grpc(co, 'checkoutservice', 'CartService', 'EmptyCart', 10 + d * 0.75, d * 0.05);
      b.add({ service: 'checkoutservice', name: 'prepareOrderItemsAndShippingQuoteFromCart', kind: 1, parent: co, startMs: 2.5, durMs: d * 0.2, attrs: { 'app.order.id': perTrace('order', 36), 'app.order.amount': AMOUNT, 'app.shipping.tracking.id': perTrace('tracking', 36), 'app.user.id': USER } }); // prettier-ignore
    },
  },
];
const TOTAL_WEIGHT = SHAPES.reduce((n, s) => n + s.weight, 0);

function demoTrace(): SpanSpec[] {
  let r = Math.random() * TOTAL_WEIGHT;
  const shape = SHAPES.find((s) => (r -= s.weight) < 0) ?? SHAPES[0]!;
  const b = new TraceBuilder();
  shape.build(b);
  return b.spans;
}

// ---- templates ----

const BASE36 = Buffer.from('0123456789abcdefghijklmnopqrstuvwxyz');
const PRODUCT_BYTES = PRODUCT_IDS.map((p) => Buffer.from(p));

/** What a slot's placeholder is replaced by, before each send. */
const enum Fill {
  TraceId,
  SpanId,
  Start,
  End,
  Text, // base-36, new per span
  TraceText, // base-36, per trace and name
  Product,
  Amount,
}

interface SlotAt {
  fill: Fill;
  at: number;
  width: number;
  trace: number;
  span: number; // index of the span in its trace (for IDs and times)
  name: number; // per-trace value index (TraceText)
}

const placeholder = (width: number): Buffer => randomFillSync(Buffer.alloc(width));

/** One request of about `batchSpans` spans (whole traces), with every variable field located. */
export class Template {
  readonly spans: number;
  private readonly body: Buffer;
  private readonly slots: SlotAt[];
  private readonly traces: readonly SpanSpec[][];
  private readonly names: string[] = [];
  /** random bytes one send needs for its text fields */
  private readonly textBytes: number;

  constructor(batchSpans: number) {
    const traces: SpanSpec[][] = [];
    let n = 0;
    while (n < batchSpans) {
      const t = demoTrace();
      traces.push(t);
      n += t.length;
    }
    this.traces = traces;
    this.spans = n;
    // Encode with a random placeholder in each slot, remembering the placeholders in the order
    // they appear in the body, then find each one from where the previous one was.
    type Placed = { ph: Buffer; slot: Omit<SlotAt, 'at'> }[];
    const byService = new Map<string, { pb: Pb; slots: Placed }[]>();
    const slot = (fill: Fill, width: number, trace: number, span: number, name = -1): Buffer => {
      const ph = placeholder(width);
      current.push({ ph, slot: { fill, width, trace, span, name } });
      return ph;
    };
    let current: Placed = [];
    const text = (parts: readonly Part[], ti: number, si: number): Buffer =>
      Buffer.concat(
        parts.map((p) => {
          if (typeof p === 'string') return Buffer.from(p);
          if (p.kind === 'id') return slot(Fill.Text, p.width, ti, si);
          if (p.kind === 'perTrace') return slot(Fill.TraceText, p.width, ti, si, this.nameIndex(p.name));
          if (p.kind === 'product') return slot(Fill.Product, 10, ti, si);
          throw new Error('an amount cannot be part of a string');
        }),
      );
    const keyValue = (key: string, v: Attr, ti: number, si: number): Pb => {
      const any = new Pb();
      if (typeof v === 'string') any.string(1, v);
      else if (typeof v === 'boolean') any.varintField(2, v ? 1 : 0);
      else if (typeof v === 'number') {
        if (Number.isInteger(v) && v >= 0) any.varintField(3, v);
        else any.fixed64(4, Buffer.from(new Float64Array([v]).buffer));
      } else if (Array.isArray(v)) any.bytes(1, text(v, ti, si));
      else {
        const s = v as Slot;
        if (s.kind === 'amount') any.fixed64(4, slot(Fill.Amount, 8, ti, si));
        else any.bytes(1, text([s], ti, si));
      }
      return new Pb().string(1, key).message(2, any);
    };
    traces.forEach((trace, ti) => {
      trace.forEach((sp, si) => {
        current = [];
        const p = new Pb()
          .bytes(1, slot(Fill.TraceId, 16, ti, si))
          .bytes(2, slot(Fill.SpanId, 8, ti, si))
          .bytes(4, sp.parent >= 0 ? slot(Fill.SpanId, 8, ti, sp.parent) : Buffer.alloc(0))
          .string(5, sp.name)
          .uint(6, sp.kind)
          .fixed64(7, slot(Fill.Start, 8, ti, si))
          .fixed64(8, slot(Fill.End, 8, ti, si));
        for (const [k, v] of Object.entries(sp.attrs)) p.message(9, keyValue(k, v, ti, si));
        if (sp.error) {
          const event = new Pb().fixed64(1, slot(Fill.End, 8, ti, si)).string(2, 'exception');
          event.message(3, keyValue('exception.message', sp.error, ti, si));
          p.message(11, event);
          p.message(15, new Pb().string(2, sp.error).uint(3, 2));
        }
        const list = byService.get(sp.service) ?? [];
        list.push({ pb: p, slots: current });
        byService.set(sp.service, list);
      });
    });
    const req = new Pb();
    const ordered: Placed = [];
    for (const [service, spans] of byService) {
      const resource = new Pb();
      for (const [k, v] of Object.entries({
        'service.name': service,
        'service.namespace': 'opentelemetry-demo',
        'service.instance.id': `${service}-1`,
        'service.version': '1.10.0',
        'telemetry.sdk.language': 'nodejs',
        'telemetry.sdk.name': 'opentelemetry',
        'telemetry.sdk.version': '2.12.0',
        'host.name': 'laptop',
      }))
        resource.message(1, new Pb().string(1, k).message(2, new Pb().string(1, v)));
      const scope = new Pb().string(1, '@opentelemetry/instrumentation-grpc').string(2, '0.223.0');
      const ss = new Pb().message(1, scope);
      for (const s of spans) {
        ss.message(2, s.pb);
        ordered.push(...s.slots);
      }
      req.message(1, new Pb().message(1, resource).message(2, ss));
    }
    this.body = req.finish();
    this.slots = [];
    let cursor = 0;
    for (const { ph, slot: s } of ordered) {
      const at = this.body.indexOf(ph, cursor);
      if (at < 0) throw new Error('bench template: a placeholder was not found');
      this.slots.push({ ...s, at });
      cursor = at + ph.length;
    }
    this.textBytes = this.slots.reduce(
      (n, x) => n + (x.fill === Fill.Text || x.fill === Fill.TraceText ? x.width : 0),
      0,
    );
  }

  private nameIndex(name: string): number {
    const i = this.names.indexOf(name);
    return i >= 0 ? i : this.names.push(name) - 1;
  }

  /** A copy of the request with every variable field new; times end about `nowMs`. */
  fresh(nowMs: number): Buffer {
    const body = Buffer.from(this.body);
    const traces = this.traces.length;
    const ids = randomFillSync(Buffer.allocUnsafe(traces * 16 + this.spans * 8));
    const random = randomFillSync(Buffer.allocUnsafe(this.textBytes));
    let r = 0;
    const spanBase: number[] = [];
    let n = traces * 16;
    for (const t of this.traces) {
      spanBase.push(n);
      n += t.length * 8;
    }
    // Per trace: when it started, how slow it was, and its per-trace values.
    const startMs = this.traces.map(() => nowMs - rnd(50, 2000));
    const slowness = this.traces.map(() => rnd(0.5, 3));
    const perTrace = new Map<number, Buffer>();
    const product = this.traces.map(() => PRODUCT_BYTES[Math.floor(Math.random() * PRODUCT_BYTES.length)]!);
    const amount = this.traces.map(() => Math.round(rnd(5, 900) * 100) / 100);
    for (const s of this.slots) {
      const spec = this.traces[s.trace]![s.span]!;
      switch (s.fill) {
        case Fill.TraceId:
          ids.copy(body, s.at, s.trace * 16, s.trace * 16 + 16);
          break;
        case Fill.SpanId: {
          const from = spanBase[s.trace]! + s.span * 8;
          ids.copy(body, s.at, from, from + 8);
          break;
        }
        case Fill.Start:
        case Fill.End: {
          const k = slowness[s.trace]!;
          const ms = startMs[s.trace]! + spec.startMs * k + (s.fill === Fill.End ? spec.durMs * k : 0);
          writeNanos(body, s.at, ms);
          break;
        }
        case Fill.Text:
          randomText(body, s.at, random, r, s.width);
          r += s.width;
          break;
        case Fill.TraceText: {
          const key = s.trace * 64 + s.name;
          const known = perTrace.get(key);
          if (known) known.copy(body, s.at);
          else {
            randomText(body, s.at, random, r, s.width);
            perTrace.set(key, body.subarray(s.at, s.at + s.width));
          }
          r += s.width;
          break;
        }
        case Fill.Product:
          product[s.trace]!.copy(body, s.at);
          break;
        case Fill.Amount:
          body.writeDoubleLE(amount[s.trace]!, s.at);
          break;
      }
    }
    return body;
  }
}

/** Unix nanoseconds of `ms` as a little-endian fixed64, without BigInt. */
function writeNanos(b: Buffer, at: number, ms: number): void {
  const whole = Math.floor(ms);
  const frac = Math.round((ms - whole) * 1e6); // ns within the millisecond
  // whole * 1e6 + frac can exceed 2^53: split it into 2^32 halves exactly
  const hiMs = Math.floor(whole / 4294967296);
  const loMs = whole - hiMs * 4294967296;
  const lo = loMs * 1e6 + frac; // < 2^52, exact
  const carry = Math.floor(lo / 4294967296);
  b.writeUInt32LE(lo - carry * 4294967296, at);
  b.writeUInt32LE(hiMs * 1e6 + carry, at + 4);
}

/** Base-36 text from random bytes (the modulo's slight bias does not matter here). */
function randomText(b: Buffer, at: number, random: Buffer, from: number, width: number): void {
  for (let i = 0; i < width; i++) b[at + i] = BASE36[random[from + i]! % 36]!;
}

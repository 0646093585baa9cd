// The catalogue: the origins spans come from (a resource with one instrumentation scope, kept
// once and shared by every span that names it) and the services and operations seen, for
// Jaeger's service and operation lists. Origins are few (services × libraries), so searches on
// resource or scope attributes resolve against them instead of an index.
import {
  anyValueToString,
  type InstrumentationScope,
  type KeyValue,
  type Resource,
  type ResourceSpans,
  type ScopeSpans,
} from '../otlp/model.js';
import type { StringTable } from './intern.js';
import { JAEGER_SPAN_KINDS, type OperationInfo } from './storage.js';

const UNKNOWN_SERVICE = 'unknown_service';

export interface Origin {
  readonly id: number;
  readonly resourceId: number;
  readonly resource: Resource;
  readonly scope: InstrumentationScope;
  readonly serviceName: string;
  readonly serviceId: number;
  readonly bytes: number;
}

export class Catalogue {
  readonly origins: Origin[] = [];
  private readonly originByKey = new Map<string, Origin>();
  private readonly resourceByKey = new Map<string, { id: number; resource: Resource }>();
  /** service id → operations, each packed as name id * 8 + span kind */
  private readonly operations = new Map<number, Set<number>>();
  /** estimated bytes held by the origins */
  bytes = 0;

  /** strs: the table service and operation names are interned in */
  constructor(private readonly strs: StringTable) {}

  /** The origin of a resource + scope pair, created on first sight. */
  originOf(rs: ResourceSpans, ss: ScopeSpans): Origin {
    const resKey = attrsKey(rs.resource.attributes);
    const key = `${resKey}\u0001${ss.scope.name}\u0001${ss.scope.version}\u0001${attrsKey(ss.scope.attributes)}`;
    const known = this.originByKey.get(key);
    if (known) return known;
    let res = this.resourceByKey.get(resKey);
    if (!res) {
      res = { id: this.resourceByKey.size, resource: rs.resource };
      this.resourceByKey.set(resKey, res);
    }
    const svc = rs.resource.attributes.find((kv) => kv.key === 'service.name');
    const serviceName = svc ? anyValueToString(svc.value) : UNKNOWN_SERVICE;
    const origin: Origin = {
      id: this.origins.length,
      resourceId: res.id,
      resource: res.resource,
      scope: ss.scope,
      serviceName,
      serviceId: this.strs.intern(serviceName),
      bytes: key.length * 2 + 200,
    };
    this.origins.push(origin);
    this.originByKey.set(key, origin);
    this.bytes += origin.bytes;
    return origin;
  }

  /** Re-creates an origin read from a data directory; it must get the id it had (origins are restored in id order). */
  restoreOrigin(resource: Resource, scope: InstrumentationScope): Origin {
    return this.originOf({ resource, scopeSpans: [], schemaUrl: '' }, { scope, spans: [], schemaUrl: '' });
  }

  /** Registers operations as (service id, name id * 8 + kind) pairs, flat. */
  addOperations(pairs: readonly number[]): void {
    for (let i = 0; i < pairs.length; i += 2) {
      let ops = this.operations.get(pairs[i]!);
      if (!ops) this.operations.set(pairs[i]!, (ops = new Set()));
      ops.add(pairs[i + 1]!);
    }
  }

  /** Whether a span of this service id has been stored. */
  hasService(serviceId: number): boolean {
    return this.operations.has(serviceId);
  }

  services(): string[] {
    const out: string[] = [];
    for (const id of this.operations.keys()) out.push(this.strs.strings[id]!);
    return out.sort();
  }

  operationsOf(q: { readonly service: string; readonly spanKind?: string }): OperationInfo[] {
    const sid = this.strs.get(q.service);
    const ops = sid === undefined ? undefined : this.operations.get(sid);
    if (!ops) return [];
    const out: OperationInfo[] = [];
    for (const packed of ops) {
      const spanKind = JAEGER_SPAN_KINDS[packed & 7] ?? '';
      if (q.spanKind !== undefined && q.spanKind !== '' && q.spanKind !== spanKind) continue;
      out.push({ name: this.strs.strings[Math.floor(packed / 8)]!, spanKind });
    }
    return out.sort((a, b) =>
      a.name < b.name ? -1 : a.name > b.name ? 1 : a.spanKind < b.spanKind ? -1 : a.spanKind > b.spanKind ? 1 : 0,
    );
  }
}

/** A content key for a list of attributes (to recognise a resource or scope seen before). */
function attrsKey(attrs: readonly KeyValue[]): string {
  let s = '';
  for (const kv of attrs) s += `${kv.key}\u0002${kv.value.kind}\u0002${anyValueToString(kv.value)}\u0003`;
  return s;
}

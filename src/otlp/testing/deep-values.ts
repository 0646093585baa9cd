// Export requests whose one span carries an attribute nested `levels` deep (kvlists and arrays
// alternating around a string), written by hand in both encodings: serializers refuse such depths.

/** kvlist at even levels from the outside, array at odd ones */
function wrapsInKvlist(level: number): boolean {
  return level % 2 === 0;
}

export function deepJsonRequest(levels: number, traceId: string, spanId: string, service = 'deep'): string {
  let open = '';
  let close = '';
  for (let i = 0; i < levels; i++) {
    open += wrapsInKvlist(i) ? '{"kvlistValue":{"values":[{"key":"k","value":' : '{"arrayValue":{"values":[';
    close = (wrapsInKvlist(i) ? '}]}}' : ']}}') + close;
  }
  return `{"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"${service}"}}]},
    "scopeSpans":[{"spans":[{"traceId":"${traceId}","spanId":"${spanId}","name":"deep",
    "attributes":[{"key":"deep","value":${open}{"stringValue":"x"}${close}}]}]}]}]}`;
}

export function deepProtobufRequest(levels: number, traceId: string, spanId: string, service = 'deep'): Buffer {
  const field = (tag: number, payload: Uint8Array): Buffer => {
    const len: number[] = [];
    for (let n = payload.length; ; n = Math.floor(n / 128)) {
      if (n < 0x80) {
        len.push(n);
        break;
      }
      len.push((n & 0x7f) | 0x80);
    }
    return Buffer.concat([Buffer.from([tag, ...len]), payload]);
  };
  const keyValue = (key: string, value: Uint8Array) => Buffer.concat([field(10, Buffer.from(key)), field(18, value)]);
  let value: Uint8Array = field(10, Buffer.from('x')); // AnyValue.string_value
  for (let i = levels - 1; i >= 0; i--) {
    // AnyValue.kvlist_value (6) → KeyValueList.values (1) → KeyValue; AnyValue.array_value (5) → ArrayValue.values (1)
    value = wrapsInKvlist(i) ? field(50, field(10, keyValue('k', value))) : field(42, field(10, value));
  }
  const span = Buffer.concat([
    field(10, Buffer.from(traceId, 'hex')),
    field(18, Buffer.from(spanId, 'hex')),
    field(42, Buffer.from('deep')),
    field(74, keyValue('deep', value)),
  ]);
  // ResourceSpans.resource (1) → Resource.attributes (1) → KeyValue with AnyValue.string_value (1)
  const resource = field(10, field(10, keyValue('service.name', field(10, Buffer.from(service)))));
  // request.resource_spans (1) → ResourceSpans { resource, scope_spans (2) → ScopeSpans.spans (2) }
  return field(10, Buffer.concat([resource, field(18, field(18, span))]));
}

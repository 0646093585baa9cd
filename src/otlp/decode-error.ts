// One error type for every malformed OTLP payload, protobuf or JSON. It carries the path of the
// offending field so a sender can see what is wrong (the receivers put the message in a 400 /
// INVALID_ARGUMENT). Decoders throw it with a path relative to the message they decode; each
// enclosing level prefixes its own segment, so the happy path never builds path strings.

export class DecodeError extends Error {
  constructor(
    /** dotted path to the offending field ('' when the fault is the payload as a whole) */
    readonly path: string,
    /** what is wrong, without the path */
    readonly detail: string,
  ) {
    super(path === '' ? detail : `${path}: ${detail}`);
    this.name = 'DecodeError';
  }

  /** The same error seen from one level up: `segment` is a field name or `name[i]`. */
  within(segment: string): DecodeError {
    if (this.path === '') return new DecodeError(segment, this.detail);
    const sep = this.path.charCodeAt(0) === 0x5b /* [ */ ? '' : '.';
    return new DecodeError(segment + sep + this.path, this.detail);
  }
}

/** Re-throws `err` with `segment` prefixed when it is a DecodeError; anything else passes as is. */
export function rethrowWithin(err: unknown, segment: string): never {
  if (err instanceof DecodeError) throw err.within(segment);
  throw err;
}

/** The DecodeError for an array or kvlist value nested deeper than `limit` levels. */
export function nestingTooDeep(limit: number): DecodeError {
  return new DecodeError('', `array and kvlist values nested deeper than ${limit} levels`);
}

// What a decoder dropped or changed while keeping the rest of a request (OTLP partial success):
// spans refused one by one (all-zero IDs) and strings repaired (invalid UTF-8). The receiver
// counts the dropped items as rejected and says in its message what was altered.

export class DecodeReport {
  private readonly drops = new Map<string, number>();
  /** protobuf string fields whose invalid UTF-8 was replaced with U+FFFD */
  invalidUtf8Strings = 0;
  /** an OTLP/JSON body that was not valid UTF-8 (its bad bytes read as U+FFFD) */
  invalidUtf8Body = false;

  /** `count` items of the request were left out for `reason` */
  drop(reason: string, count = 1): void {
    if (count > 0) this.drops.set(reason, (this.drops.get(reason) ?? 0) + count);
  }

  /** items left out, in all */
  get dropped(): number {
    let n = 0;
    for (const c of this.drops.values()) n += c;
    return n;
  }

  /** [reason, count] of the items left out, in the order the reasons first occurred */
  reasons(): [reason: string, count: number][] {
    return [...this.drops];
  }

  /** What was kept but altered, for the partial-success message; '' when nothing was. */
  alterations(items: string): string {
    const n = this.invalidUtf8Strings;
    if (this.invalidUtf8Body) return `invalid UTF-8 in the request body replaced by U+FFFD (${items} kept, altered)`;
    if (n === 0) return '';
    return `${n} ${n === 1 ? 'string' : 'strings'} with invalid UTF-8 replaced by U+FFFD (${items} kept, altered)`;
  }
}

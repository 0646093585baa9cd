// Reading remote-write requests back in tests (a fake receiver's view of what was sent).
import { labelsKey, type Label } from '../../labels/labels.js';
import { ProtoReader } from '../../otlp/protobuf-reader.js';

export interface ReceivedSeries {
  readonly labels: Label[];
  readonly samples: { t: number; v: number; stale: boolean }[];
}

/** Decodes an uncompressed WriteRequest (labels and samples; exemplars skipped). */
export function decodeWriteRequest(bytes: Uint8Array): ReceivedSeries[] {
  const out: ReceivedSeries[] = [];
  const r = new ProtoReader(bytes);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  while (r.pos < r.len) {
    const tag = r.tag();
    if (tag !== 0x0a) {
      r.skip(tag & 7);
      continue;
    }
    const end = r.lenEnd();
    const series: ReceivedSeries = { labels: [], samples: [] };
    while (r.pos < end) {
      const t = r.tag();
      if (t === 0x0a) {
        const le = r.lenEnd();
        let name = '';
        let value = '';
        while (r.pos < le) {
          const lt = r.tag();
          if (lt === 0x0a) name = r.string();
          else if (lt === 0x12) value = r.string();
          else r.skip(lt & 7);
        }
        series.labels.push({ name, value });
      } else if (t === 0x12) {
        const se = r.lenEnd();
        let v = 0;
        let ts = 0;
        let stale = false;
        while (r.pos < se) {
          const st = r.tag();
          if (st === 0x09) {
            stale = view.getUint32(r.pos + 4, true) === 0x7ff00000 && view.getUint32(r.pos, true) === 2;
            v = r.double();
          } else if (st === 0x10) ts = r.varint();
          else r.skip(st & 7);
        }
        series.samples.push({ t: ts, v, stale });
      } else r.skip(t & 7);
    }
    out.push(series);
  }
  return out;
}

/** samples by series key, in the order received */
export function samplesBySeries(requests: readonly ReceivedSeries[][]): Map<string, { t: number; v: number }[]> {
  const out = new Map<string, { t: number; v: number }[]>();
  for (const req of requests)
    for (const s of req) {
      const key = labelsKey(s.labels);
      const list = out.get(key) ?? [];
      list.push(...s.samples.map(({ t, v }) => ({ t, v })));
      out.set(key, list);
    }
  return out;
}

// meta.json of a block, as Prometheus writes and reads it (version 1). maxTime is exclusive: the
// block holds samples with minTime <= t < maxTime.
import { CorruptError } from './encoding.js';
import { isUlid } from './ulid.js';
import { isRecord } from '../../json/record.js';

export interface BlockMeta {
  readonly ulid: string;
  readonly minTime: number;
  readonly maxTime: number;
  readonly stats: { readonly numSamples: number; readonly numSeries: number; readonly numChunks: number };
  readonly compaction: {
    readonly level: number;
    readonly sources: readonly string[];
    readonly parents?: readonly { readonly ulid: string; readonly minTime: number; readonly maxTime: number }[];
  };
  readonly version: 1;
}

function int(x: unknown, what: string): number {
  if (typeof x !== 'number' || !Number.isSafeInteger(x)) throw new CorruptError(`meta.json: ${what} is not an integer`);
  return x;
}

/** Parses and checks meta.json's text; throws CorruptError naming what is wrong. */
export function parseMeta(text: string): BlockMeta {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new CorruptError('meta.json is not JSON');
  }
  if (!isRecord(raw)) throw new CorruptError('meta.json is not an object');
  if (raw['version'] !== 1) throw new CorruptError(`meta.json: unsupported version ${String(raw['version'])}`);
  const ulid = raw['ulid'];
  if (typeof ulid !== 'string' || !isUlid(ulid)) throw new CorruptError('meta.json: ulid is not a ULID');
  const minTime = int(raw['minTime'], 'minTime');
  const maxTime = int(raw['maxTime'], 'maxTime');
  if (maxTime < minTime) throw new CorruptError('meta.json: maxTime before minTime');
  const stats = isRecord(raw['stats']) ? raw['stats'] : {};
  const compaction = isRecord(raw['compaction']) ? raw['compaction'] : {};
  const parents = Array.isArray(compaction['parents'])
    ? compaction['parents'].filter(isRecord).map((p) => ({
        ulid: String(p['ulid']),
        minTime: int(p['minTime'], 'compaction.parents.minTime'),
        maxTime: int(p['maxTime'], 'compaction.parents.maxTime'),
      }))
    : [];
  const sources = Array.isArray(compaction['sources'])
    ? compaction['sources'].filter((s): s is string => typeof s === 'string')
    : [ulid];
  return {
    ulid,
    minTime,
    maxTime,
    stats: {
      numSamples: int(stats['numSamples'] ?? 0, 'stats.numSamples'),
      numSeries: int(stats['numSeries'] ?? 0, 'stats.numSeries'),
      numChunks: int(stats['numChunks'] ?? 0, 'stats.numChunks'),
    },
    compaction: {
      level: int(compaction['level'] ?? 1, 'compaction.level'),
      sources,
      ...(parents.length > 0 ? { parents } : {}),
    },
    version: 1,
  };
}

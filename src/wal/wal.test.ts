import {
  appendFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RefusedError } from '../consumer/consumer.js';
import { FRAME_HEADER_BYTES, SEGMENT_HEADER, WriteAheadLog, segmentName, type WalOptions } from './wal.js';

const text = (s: string): Uint8Array => new TextEncoder().encode(s);
const str = (b: Uint8Array): string => new TextDecoder().decode(b);

let dir = '';
let lines: string[] = [];
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'orrery-wal-'));
  lines = [];
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function open(opts: Partial<WalOptions> = {}): WriteAheadLog {
  return new WriteAheadLog({ dir, fsyncIntervalMs: Infinity, log: (l) => lines.push(l), ...opts });
}

function replayAll(opts: Partial<WalOptions> = {}): {
  records: string[];
  wal: WriteAheadLog;
  result: ReturnType<WriteAheadLog['replay']>;
} {
  const wal = open(opts);
  const records: string[] = [];
  const result = wal.replay((r) => records.push(str(r)));
  return { records, wal, result };
}

const segmentFiles = (): string[] =>
  readdirSync(dir)
    .filter((n) => /^\d{8}$/.test(n))
    .sort();

describe('WriteAheadLog', () => {
  it('replays what was appended, in order, across segments and restarts', () => {
    const wal = open({ segmentBytes: 64 });
    wal.start();
    for (let i = 0; i < 10; i++) wal.append(text(`record ${i}`));
    wal.append([text('batch a'), text('batch b')]);
    wal.shutdown();
    expect(segmentFiles().length).toBeGreaterThan(2);

    const again = replayAll({ segmentBytes: 64 });
    expect(again.records).toEqual([...Array.from({ length: 10 }, (_, i) => `record ${i}`), 'batch a', 'batch b']);
    expect(again.result.corruptions).toBe(0);
    // A restarted log writes a new segment after the existing ones.
    const before = segmentFiles();
    again.wal.start();
    again.wal.append(text('after restart'));
    again.wal.shutdown();
    expect(again.wal.currentSegment).toBe(-1);
    expect(segmentFiles()).toEqual([...before, segmentName(Number(before.at(-1)) + 1)]);
    expect(replayAll().records.at(-1)).toBe('after restart');
  });

  it('frames records as length, CRC-32C and payload after an 8-byte segment header', () => {
    const wal = open();
    wal.start();
    wal.append(text('123456789'));
    wal.shutdown();
    const bytes = readFileSync(path.join(dir, segmentFiles()[0]!));
    expect([...bytes.subarray(0, 8)]).toEqual([...SEGMENT_HEADER]);
    expect(bytes.readUInt32LE(8)).toBe(9);
    expect(bytes.readUInt32LE(12)).toBe(0xe3069283);
    expect(bytes.subarray(16).toString()).toBe('123456789');
  });

  it('cuts a torn last record, counts and logs it, and truncates the file so the next replay is clean', () => {
    const wal = open();
    wal.start();
    wal.append([text('one'), text('two')]);
    wal.shutdown();
    const file = path.join(dir, segmentFiles()[0]!);
    const whole = statSync(file).size;
    // A kill in mid-write: a frame header announcing 100 bytes, then only 5 of them.
    const torn = Buffer.alloc(FRAME_HEADER_BYTES + 5);
    torn.writeUInt32LE(100, 0);
    appendFileSync(file, torn);

    const first = replayAll();
    expect(first.records).toEqual(['one', 'two']);
    expect(first.result).toMatchObject({ corruptions: 1, cutBytes: torn.length, records: 2 });
    expect(first.wal.corruptions).toBe(1);
    expect(lines.join('\n')).toMatch(new RegExp(`cut ${torn.length} bytes at offset ${whole} \\(torn record`));
    expect(statSync(file).size).toBe(whole);
    expect(replayAll().result.corruptions).toBe(0);
  });

  it('never throws and yields a prefix of the records whatever byte the file is cut at', () => {
    const wal = open();
    wal.start();
    const expected = ['alpha', 'beta', 'gamma', 'delta'];
    for (const r of expected) wal.append(text(r));
    wal.shutdown();
    const file = path.join(dir, segmentFiles()[0]!);
    const full = readFileSync(file);
    for (let cut = 0; cut <= full.length; cut++) {
      writeFileSync(file, full.subarray(0, cut));
      const { records } = replayAll();
      expect(expected.slice(0, records.length)).toEqual(records);
      // Whole frames end at 8 + sum(8 + len): those cuts lose nothing.
      const ends = expected.map((_, i) => 8 + expected.slice(0, i + 1).reduce((n, r) => n + 8 + r.length, 0));
      const whole = ends.filter((e) => e <= cut).length;
      expect(records.length).toBe(whole);
    }
  });

  it('cuts a corrupted segment at the bad record and still replays the later segments', () => {
    const wal = open({ segmentBytes: 40 });
    wal.start();
    for (let i = 0; i < 6; i++) wal.append(text(`rec-${i}`)); // 13 bytes framed: two per segment
    wal.shutdown();
    const files = segmentFiles();
    expect(files.length).toBe(3);
    const first = path.join(dir, files[0]!);
    const bytes = readFileSync(first);
    bytes[bytes.length - 1]! ^= 0xff; // a flipped bit in rec-1's payload
    writeFileSync(first, bytes);

    const { records, result } = replayAll();
    expect(records).toEqual(['rec-0', 'rec-2', 'rec-3', 'rec-4', 'rec-5']);
    expect(result.corruptions).toBe(1);
    expect(lines.some((l) => l.includes('checksum mismatch'))).toBe(true);
  });

  it('treats a file that is not a segment of this format as corrupt instead of reading it', () => {
    writeFileSync(path.join(dir, segmentName(0)), 'not a wal at all');
    const { records, result } = replayAll();
    expect(records).toEqual([]);
    expect(result.corruptions).toBe(1);
    expect(statSync(path.join(dir, segmentName(0))).size).toBe(0);
  });

  it('counts a record its visitor cannot read and goes on', () => {
    const wal = open();
    wal.start();
    wal.append([text('good'), text('bad'), text('good again')]);
    wal.shutdown();
    const seen: string[] = [];
    const result = open().replay((r) => {
      if (str(r) === 'bad') throw new Error('unknown record type');
      seen.push(str(r));
    });
    expect(seen).toEqual(['good', 'good again']);
    expect(result.unreadableRecords).toBe(1);
  });

  it('refuses an empty record, which replay could not tell from zeroed disk', () => {
    const wal = open();
    wal.start();
    expect(() => wal.append(new Uint8Array(0))).toThrow(RangeError);
    wal.shutdown();
  });

  it('replaces older segments with a checkpoint; replay is the checkpoint and the later segments', () => {
    const wal = open();
    wal.start();
    wal.append([text('a'), text('b')]);
    wal.cut();
    wal.append(text('c'));
    const result = wal.checkpoint((sink) => sink.append(text('snapshot of a b c')));
    expect(result).toMatchObject({ upTo: 1, records: 1, deletedSegments: 2 });
    wal.append(text('d'));
    // Size on disk: the checkpoint's segment plus the open one.
    const du = (d: string): number =>
      readdirSync(d, { withFileTypes: true }).reduce(
        (n, e) => n + (e.isDirectory() ? du(path.join(d, e.name)) : statSync(path.join(d, e.name)).size),
        0,
      );
    expect(wal.sizeBytes()).toBe(du(dir));
    wal.shutdown();
    expect(wal.checkpointCreations).toBe(1);
    expect(readdirSync(dir).sort()).toEqual(['00000002', 'checkpoint.00000001']);

    const { records, result: r } = replayAll();
    expect(records).toEqual(['snapshot of a b c', 'd']);
    expect(r.checkpoint).toBe(1);

    // A second checkpoint deletes the first.
    const next = open();
    next.replay(() => {});
    next.start();
    next.append(text('e'));
    next.checkpoint((sink) => sink.append([text('snapshot 2')]));
    next.shutdown();
    expect(readdirSync(dir).filter((n) => n.startsWith('checkpoint'))).toEqual(['checkpoint.00000003']);
    expect(replayAll().records).toEqual(['snapshot 2']);
  });

  it('survives a kill at any step of a checkpoint: an unfinished one is ignored, covered segments are skipped', () => {
    const wal = open();
    wal.start();
    wal.append(text('a'));
    wal.shutdown();
    // Killed while writing: only the .tmp directory exists.
    mkdirSync(path.join(dir, 'checkpoint.00000000.tmp'));
    writeFileSync(path.join(dir, 'checkpoint.00000000.tmp', '00000000'), 'partial');
    expect(replayAll().records).toEqual(['a']);
    expect(existsSync(path.join(dir, 'checkpoint.00000000.tmp'))).toBe(false);

    // Killed after the rename, before the covered segments were deleted.
    const cp = new WriteAheadLog({ dir: path.join(dir, 'checkpoint.00000000'), fsyncIntervalMs: Infinity });
    cp.start();
    cp.append(text('snapshot of a'));
    cp.shutdown();
    expect(replayAll().records).toEqual(['snapshot of a']);
  });

  it('answers a failed write (ENOSPC) with RefusedError("unavailable") and keeps nothing of it', () => {
    const wal = open();
    wal.start();
    wal.append(text('before'));
    // The next segment is the full device: every write to it fails with ENOSPC.
    symlinkSync('/dev/full', path.join(dir, segmentName(wal.currentSegment + 1)));
    wal.cut();
    let refused: unknown;
    try {
      wal.append([text('lost 1'), text('lost 2')]);
    } catch (e) {
      refused = e;
    }
    expect(refused).toBeInstanceOf(RefusedError);
    expect((refused as RefusedError).kind).toBe('unavailable');
    expect((refused as RefusedError).message).toMatch(/ENOSPC/);
    expect((refused as RefusedError).retryAfterSeconds).toBeGreaterThan(0);
    expect(wal.writesFailed).toBe(1);
    expect(lines.some((l) => l.includes('refusing input'))).toBe(true);
    // Writing resumes on a segment that can take it.
    wal.cut();
    wal.append(text('after'));
    wal.shutdown();
    const { records } = replayAll();
    expect(records).toEqual(['before', 'after']);
    expect(lines.some((l) => l.includes('not a regular file'))).toBe(true);
  });

  it('fsyncs after every append when the interval is 0, on cut and on shutdown', () => {
    const wal = open({ fsyncIntervalMs: 0 });
    wal.start();
    wal.append(text('x'));
    wal.append(text('y'));
    expect(wal.fsyncs).toBe(2);
    wal.shutdown();
    const lazy = open();
    lazy.start();
    lazy.append(text('z'));
    expect(lazy.fsyncs).toBe(0);
    lazy.cut();
    expect(lazy.fsyncs).toBe(1);
    lazy.append(text('w'));
    lazy.shutdown();
    expect(lazy.fsyncs).toBe(2);
  });

  it('fsyncs in the background at the configured interval', async () => {
    const wal = open({ fsyncIntervalMs: 20 });
    wal.start();
    wal.append(text('x'));
    const deadline = Date.now() + 5000;
    while (wal.fsyncs === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(wal.fsyncs).toBeGreaterThan(0);
    expect(wal.fsyncSeconds).toBeGreaterThanOrEqual(0);
    wal.shutdown();
  });

  it('deletes segments before an index, never the open one, and reports its size', () => {
    const wal = open();
    wal.start();
    wal.append(text('a'));
    wal.cut();
    wal.append(text('b'));
    wal.cut();
    wal.append(text('c'));
    expect(wal.sizeBytes()).toBe(3 * (SEGMENT_HEADER.length + FRAME_HEADER_BYTES + 1));
    expect(wal.truncateBefore(99)).toBe(2);
    expect(wal.truncations).toBe(1);
    expect(segmentFiles()).toEqual([segmentName(2)]);
    expect(wal.sizeBytes()).toBe(SEGMENT_HEADER.length + FRAME_HEADER_BYTES + 1);
    wal.shutdown();
  });

  it('discards every segment without syncing the one it closes, and goes on in a new one', () => {
    const wal = open({ fsyncIntervalMs: 3_600_000 });
    wal.start();
    wal.append(text('a'));
    wal.cut();
    expect(wal.fsyncs).toBe(1);
    wal.append(text('b'));
    wal.discardAll();
    // the segment holding b was deleted unsynced
    expect(wal.fsyncs).toBe(1);
    expect(segmentFiles()).toEqual([segmentName(2)]);
    expect(wal.sizeBytes()).toBe(0);
    wal.append(text('c'));
    wal.shutdown();
    expect(replayAll().records).toEqual(['c']);
  });
});

import { describe, expect, it } from 'vitest';
import { parseArgs, parseDuration, parseSize, UsageError, type FlagSpecs } from './args.js';

const SPECS = {
  port: { type: 'port', env: 'ORRERY_PORT', default: 8080, help: 'p' },
  host: { type: 'string', default: '127.0.0.1', help: 'h' },
  traceBudget: { type: 'size', default: '256MB', help: 'b' },
  retention: { type: 'duration', default: '2h', help: 'r' },
  dataDir: { type: 'string', help: 'd' },
  verbose: { type: 'bool', default: false, help: 'v' },
} as const satisfies FlagSpecs;

describe('args', () => {
  it('list flags: repeatable and comma-separated, env as the default, flags replace it', () => {
    const specs = {
      origin: { type: 'list', env: 'ORIGINS', default: 'http://localhost:*', help: 'o' },
      extra: { type: 'list', help: 'e' },
    } as const satisfies FlagSpecs;
    const none = parseArgs([], specs, {});
    expect(none.flags.origin).toEqual(['http://localhost:*']);
    expect(none.flags.extra).toBeUndefined();
    expect(parseArgs([], specs, { ORIGINS: 'http://a:1, http://b:2' }).flags.origin).toEqual([
      'http://a:1',
      'http://b:2',
    ]);
    const given = parseArgs(['--origin', 'http://a:1,http://b:2', '--origin=http://c:3', '--extra', 'X'], specs, {
      ORIGINS: 'http://env:1',
    });
    expect(given.flags.origin).toEqual(['http://a:1', 'http://b:2', 'http://c:3']);
    expect(given.flags.extra).toEqual(['X']);
  });

  it('parses sizes (powers of 1024) and durations', () => {
    expect(parseSize('256MB')).toBe(256 * 1024 * 1024);
    expect(parseSize('1GiB')).toBe(1024 ** 3);
    expect(parseSize('1.5k')).toBe(1536);
    expect(parseSize('1048576')).toBe(1048576);
    expect(() => parseSize('12XB')).toThrow(/not a size/);
    expect(() => parseSize('-1MB')).toThrow(/not a size/);
    expect(parseDuration('2h')).toBe(7_200_000);
    expect(parseDuration('30m')).toBe(1_800_000);
    expect(parseDuration('1h30m')).toBe(5_400_000);
    expect(parseDuration('500ms')).toBe(500);
    expect(parseDuration('0')).toBe(0);
    expect(() => parseDuration('10')).toThrow(/not a duration/);
    expect(() => parseDuration('2hours')).toThrow(/not a duration/);
  });

  it('applies defaults, env, then flags', () => {
    const a = parseArgs([], SPECS, {});
    expect(a.flags).toEqual({
      port: 8080,
      host: '127.0.0.1',
      traceBudget: 268435456,
      retention: 7200000,
      dataDir: undefined,
      verbose: false,
    });
    expect(parseArgs([], SPECS, { ORRERY_PORT: '9090' }).flags.port).toBe(9090);
    const b = parseArgs(
      ['--port', '0', '--trace-budget=1GiB', '--retention', '30m', '--verbose', '--data-dir', '/tmp/x', 'extra'],
      SPECS,
      { ORRERY_PORT: '9090' },
    );
    expect(b.flags).toMatchObject({
      port: 0,
      traceBudget: 1024 ** 3,
      retention: 1_800_000,
      verbose: true,
      dataDir: '/tmp/x',
    });
    expect(b.positionals).toEqual(['extra']);
    expect(parseArgs(['--no-verbose'], SPECS, {}).flags.verbose).toBe(false);
    expect(parseArgs(['-h'], SPECS, {}).help).toBe(true);
  });

  it('gives clear errors', () => {
    expect(() => parseArgs(['--prot', '1'], SPECS, {})).toThrow(new UsageError('unknown option --prot'));
    expect(() => parseArgs(['--port'], SPECS, {})).toThrow('option --port needs a value');
    expect(() => parseArgs(['--port', 'abc'], SPECS, {})).toThrow(
      '--port: "abc" is not a port number (0-65535; 0 picks a free port)',
    );
    expect(() => parseArgs(['--port', '70000'], SPECS, {})).toThrow(/not a port/);
    expect(() => parseArgs([], SPECS, { ORRERY_PORT: 'x' })).toThrow(/^ORRERY_PORT: "x" is not a port/);
    expect(() => parseArgs(['--retention', '2 hours'], SPECS, {})).toThrow(/--retention: "2 hours" is not a duration/);
    expect(() => parseArgs(['-x'], SPECS, {})).toThrow('unknown option -x');
  });
});

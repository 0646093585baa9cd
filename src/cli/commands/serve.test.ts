// `orrery serve` refuses bad cross-site settings as usage errors (exit 2) before starting anything.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { run } from './serve.js';

afterEach(() => vi.restoreAllMocks());

describe('orrery serve flags', () => {
  it('--cors-allow-origin and --cors-allow-header must be origins and header names', async () => {
    const errors: string[] = [];
    vi.spyOn(console, 'error').mockImplementation((line: string) => void errors.push(line));
    expect(await run(['--cors-allow-origin', 'http://localhost:3000,localhost:3000'])).toBe(2);
    expect(errors.join('\n')).toContain('--cors-allow-origin: "localhost:3000" is not an origin');
    expect(await run(['--cors-allow-header', 'X-Ok', '--cors-allow-header', 'bad header'])).toBe(2);
    expect(errors.join('\n')).toContain('--cors-allow-header: "bad header" is not a header name');
  });

  it('a wrong --forward-otlp or --remote-write URL or scheme is a usage error before anything starts', async () => {
    const errors: string[] = [];
    vi.spyOn(console, 'error').mockImplementation((line: string) => void errors.push(line));
    expect(await run(['--forward-otlp', 'collector:4317'])).toBe(2);
    expect(errors.join('\n')).toContain('--forward-otlp: "collector:4317": unsupported scheme collector://');
    expect(await run(['--forward-otlp', 'grpc://c:4317', '--forward-protocol', 'http'])).toBe(2);
    expect(errors.join('\n')).toContain('is gRPC, but --forward-protocol says http');
    expect(await run(['--forward-otlp', 'http://c:4318', '--forward-protocol', 'thrift'])).toBe(2);
    expect(errors.join('\n')).toContain('--forward-protocol: "thrift" is not a protocol (http or grpc)');
    expect(await run(['--forward-otlp', 'http://c:4318', '--forward-header', 'Authorization'])).toBe(2);
    expect(errors.join('\n')).toContain('--forward-header: "Authorization" is not a header (expected Name=value');
    expect(await run(['--forward-otlp', 'http://c:4318', '--forward-max-elapsed', 'soon'])).toBe(2);
    expect(errors.join('\n')).toMatch(/--forward-max-elapsed.*"soon" is not a duration/);
    expect(await run(['--remote-write', 'ftp://prometheus/api/v1/write'])).toBe(2);
    expect(errors.join('\n')).toContain('--remote-write: "ftp://prometheus/api/v1/write": unsupported scheme ftp://');
  });

  it('refuses a negative count of plain trace segments', async () => {
    const errors: string[] = [];
    vi.spyOn(console, 'error').mockImplementation((line: string) => void errors.push(line));
    expect(await run(['--trace-plain-segments', '-1'])).toBe(2);
    expect(errors.join('\n')).toContain('--trace-plain-segments must be 0 or more');
  });

  it('lists the flags in --help', async () => {
    const out: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((line: string) => void out.push(line));
    expect(await run(['--help'])).toBe(0);
    expect(out.join('\n')).toMatch(/--cors-allow-origin ORIGIN .*default http:\/\/localhost:\*,/);
    expect(out.join('\n')).toMatch(/--forward-max-elapsed DURATION .*default 5m/);
    expect(out.join('\n')).toMatch(/--trace-plain-segments N .*default 2;/);
  });
});

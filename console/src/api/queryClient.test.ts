import { describe, expect, it } from 'vitest';
import { ApiError } from './json.js';
import { PrometheusError } from './prometheus.js';
import { isTransient } from './queryClient.js';

describe('transient failures', () => {
  it('retries what may pass (no answer, 5xx, 429) and not what the server refused', () => {
    expect(isTransient(new TypeError('Failed to fetch'))).toBe(true);
    expect(isTransient(new ApiError('upstream unavailable', 502))).toBe(true);
    expect(isTransient(new PrometheusError('unavailable', 'busy', 503))).toBe(true);
    expect(isTransient(new ApiError('slow down', 429))).toBe(true);
    expect(isTransient(new PrometheusError('bad_data', 'parse error', 400))).toBe(false);
    expect(isTransient(new ApiError('unknown flag', 404))).toBe(false);
    expect(isTransient(new Error('unexpected answer'))).toBe(false);
  });
});

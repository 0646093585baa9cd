import { ErrorCode, StandardResolutionReasons } from '@openfeature/server-sdk';
import { describe, expect, it } from 'vitest';
import { evaluationRecord } from './flags.js';

const base = { flagKey: 'recommendationCache', flagMetadata: {} };

describe('evaluationRecord', () => {
  it("names the flag, its variant and whether the request gets it (feature_flag.evaluation's attributes)", () => {
    const r = evaluationRecord(
      'ofrep',
      { ...base, value: true, variant: 'on', reason: StandardResolutionReasons.STATIC },
      true,
    );
    expect(r.message).toBe('flag recommendationCache evaluated: variant on, on');
    expect(r.attributes).toEqual({
      'feature_flag.key': 'recommendationCache',
      'feature_flag.provider.name': 'ofrep',
      'feature_flag.result.variant': 'on',
      'feature_flag.result.value': true,
      'feature_flag.result.reason': 'static',
      'app.feature_flag.on': true,
    });
  });

  it('a probability flag: the drawn outcome beside the variant', () => {
    const r = evaluationRecord(
      'ofrep',
      { ...base, flagKey: 'paymentServiceFailure', value: 0.25, variant: '25%' },
      false,
    );
    expect(r.message).toBe('flag paymentServiceFailure evaluated: variant 25%, off');
    expect(r.attributes['feature_flag.result.value']).toBe(0.25);
    expect(r.attributes['app.feature_flag.on']).toBe(false);
  });

  it('a failed evaluation (flag service down): the default value, the error code and no variant from the server', () => {
    const r = evaluationRecord(
      'ofrep',
      { ...base, value: false, errorCode: ErrorCode.GENERAL, errorMessage: 'fetch failed', reason: 'ERROR' },
      false,
    );
    expect(r.message).toBe('flag recommendationCache evaluated: value false, off (GENERAL: fetch failed)');
    expect(r.attributes).not.toHaveProperty('feature_flag.result.variant');
    expect(r.attributes['error.type']).toBe('general');
    expect(r.attributes['feature_flag.result.reason']).toBe('error');
  });
});

import { describe, expect, it } from 'vitest';
import { placeTooltip } from './tooltip.js';

const base = { tipWidth: 300, tipHeight: 200, viewportWidth: 1000, viewportHeight: 800 };

describe('tooltip placement', () => {
  it('sits right of and below the cursor when there is room', () => {
    expect(placeTooltip({ ...base, cursorX: 100, cursorY: 100 })).toEqual({ left: 112, top: 112 });
  });

  it('flips to the left near the right edge and above near the bottom', () => {
    expect(placeTooltip({ ...base, cursorX: 900, cursorY: 700 })).toEqual({ left: 588, top: 488 });
  });

  it('stays inside a viewport narrower than cursor plus tooltip on both sides', () => {
    const p = placeTooltip({ ...base, viewportWidth: 320, cursorX: 160, cursorY: 10 });
    expect(p.left).toBeGreaterThanOrEqual(0);
    expect(p.left + base.tipWidth).toBeLessThanOrEqual(320);
  });
});

// Where a chart's hover tooltip goes: beside the cursor, flipped to the other side when it would
// leave the viewport, and never above or left of the page's edge.

export interface TooltipPlacement {
  /** cursor position in viewport pixels */
  readonly cursorX: number;
  readonly cursorY: number;
  readonly tipWidth: number;
  readonly tipHeight: number;
  readonly viewportWidth: number;
  readonly viewportHeight: number;
}

const GAP = 12;

/** The tooltip's top-left corner in viewport pixels. */
export function placeTooltip(p: TooltipPlacement): { left: number; top: number } {
  let left = p.cursorX + GAP;
  if (left + p.tipWidth > p.viewportWidth) left = p.cursorX - GAP - p.tipWidth;
  left = Math.max(0, Math.min(left, p.viewportWidth - p.tipWidth));
  let top = p.cursorY + GAP;
  if (top + p.tipHeight > p.viewportHeight) top = p.cursorY - GAP - p.tipHeight;
  top = Math.max(0, Math.min(top, p.viewportHeight - p.tipHeight));
  return { left, top };
}

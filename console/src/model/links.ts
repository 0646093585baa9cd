// Panel links (Grafana's panel links, trimmed): a title and an in-console address with variables,
// e.g. "View traces" → /search?service=$service&start=${__from_us}&end=${__to_us}. Values are
// percent-encoded, and only addresses inside the console are followed.
import { interpolate } from './variables.js';

export interface PanelLink {
  readonly title: string;
  readonly url: string;
}

export interface LinkContext {
  readonly fromMs: number;
  readonly toMs: number;
  readonly variables: Readonly<Record<string, string>>;
}

/** The link's address, or undefined when it would leave the console. */
export function panelLinkHref(link: PanelLink, ctx: LinkContext): string | undefined {
  const values: Record<string, string> = {};
  for (const [k, v] of Object.entries(ctx.variables)) values[k] = encodeURIComponent(v);
  values['__from'] = String(Math.floor(ctx.fromMs));
  values['__to'] = String(Math.ceil(ctx.toMs));
  values['__from_us'] = String(Math.floor(ctx.fromMs) * 1000);
  values['__to_us'] = String(Math.ceil(ctx.toMs) * 1000);
  const href = interpolate(link.url, values);
  return inConsole(href) ? href : undefined;
}

/** Whether an address stays inside the console (a path, not another origin or a script). */
export function inConsole(href: string): boolean {
  return href.startsWith('/') && !href.startsWith('//') && !href.startsWith('/\\');
}

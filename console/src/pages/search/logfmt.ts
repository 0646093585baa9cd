// The Tags box of the search form: logfmt as Jaeger's search takes it, `key=value key2="quoted
// value"`, into the tag map the API expects. A mistake is reported naming the part at fault, so
// the form can say which one before anything is sent.

export type TagsResult =
  | { readonly ok: true; readonly tags: Readonly<Record<string, string>> }
  | { readonly ok: false; readonly error: string };

export function parseLogfmtTags(text: string): TagsResult {
  const tags: Record<string, string> = {};
  let i = 0;
  const n = text.length;
  const isSpace = (c: string | undefined): boolean => c === ' ' || c === '\t' || c === '\n' || c === '\r';
  while (i < n) {
    while (i < n && isSpace(text[i])) i++;
    if (i >= n) break;
    const partStart = i;
    // the key: up to '=' or whitespace
    while (i < n && text[i] !== '=' && !isSpace(text[i]) && text[i] !== '"') i++;
    const key = text.slice(partStart, i);
    if (text[i] === '"') {
      return {
        ok: false,
        error: `a quote in the key at "${partOf(text, partStart)}": quote the value only, key="value"`,
      };
    }
    if (key === '') return { ok: false, error: `a value without a key at "${partOf(text, partStart)}"` };
    if (text[i] !== '=') return { ok: false, error: `"${key}" has no value: write ${key}=value` };
    i++; // '='
    let value = '';
    if (text[i] === '"') {
      i++;
      let closed = false;
      while (i < n) {
        const c = text[i]!;
        if (c === '\\' && i + 1 < n) {
          const next = text[i + 1]!;
          value += next === 'n' ? '\n' : next === 't' ? '\t' : next;
          i += 2;
          continue;
        }
        if (c === '"') {
          closed = true;
          i++;
          break;
        }
        value += c;
        i++;
      }
      if (!closed) return { ok: false, error: `the quoted value of "${key}" is not closed: add a final "` };
      if (i < n && !isSpace(text[i])) {
        return { ok: false, error: `text right after the closing quote of "${key}": separate tags with a space` };
      }
    } else {
      const valueStart = i;
      while (i < n && !isSpace(text[i])) i++;
      value = text.slice(valueStart, i);
      if (value.includes('"')) {
        return { ok: false, error: `a stray quote in the value of "${key}": quote the whole value, ${key}="…"` };
      }
      if (value === '') return { ok: false, error: `"${key}" has an empty value: write ${key}="" for an empty text` };
    }
    tags[key] = value;
  }
  return { ok: true, tags };
}

/** The offending part, up to the next space, shortened for a message. */
function partOf(text: string, from: number): string {
  const rest = text.slice(from).split(/\s/)[0] ?? '';
  return rest.length > 40 ? `${rest.slice(0, 40)}…` : rest;
}

/** The tag map as logfmt text again (quoting where needed): for a search built from a link. */
export function formatLogfmtTags(tags: Readonly<Record<string, string>>): string {
  return Object.entries(tags)
    .map(([k, v]) => (v === '' || /[\s"=\\]/.test(v) ? `${k}="${v.replace(/[\\"]/g, '\\$&')}"` : `${k}=${v}`))
    .join(' ');
}

// Go's strconv quoting (Quote, QuoteRune): Prometheus writes label values and tokens this way in
// error messages and in String() forms, so Orrery's answers match its bytes.

export function isPrintable(cp: number): boolean {
  if (cp < 0x20 || cp === 0x7f) return false;
  if (cp >= 0x80 && cp < 0xa0) return false;
  if (cp === 0xad) return false;
  if (cp >= 0xd800 && cp < 0xe000) return false;
  if (cp === 0xfffe || cp === 0xffff) return false;
  // Unicode separators other than the ASCII space are not printable in Go's sense.
  return !/[\p{Z}\p{Cc}\p{Cf}\p{Co}\p{Cn}]/u.test(String.fromCodePoint(cp)) || cp === 0x20;
}

function escapeRune(cp: number, quote: string): string {
  const ch = String.fromCodePoint(cp);
  if (ch === quote || ch === '\\') return '\\' + ch;
  if (isPrintable(cp)) return ch;
  switch (cp) {
    case 7:
      return '\\a';
    case 8:
      return '\\b';
    case 12:
      return '\\f';
    case 10:
      return '\\n';
    case 13:
      return '\\r';
    case 9:
      return '\\t';
    case 11:
      return '\\v';
  }
  if (cp < 0x20 || cp === 0x7f) return '\\x' + cp.toString(16).padStart(2, '0');
  if (cp === 0xfffd) return ch;
  if (cp < 0x10000) return '\\u' + cp.toString(16).padStart(4, '0');
  return '\\U' + cp.toString(16).padStart(8, '0');
}

/** Go's strconv.Quote (fmt %q of a string). */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) out += escapeRune(ch.codePointAt(0) ?? 0, '"');
  return out + '"';
}

/** Go's strconv.QuoteRune (fmt %q of a rune); -1 stands for end of input. */
export function goQuoteRune(cp: number): string {
  if (cp < 0) cp = 0xfffd;
  return "'" + escapeRune(cp, "'") + "'";
}

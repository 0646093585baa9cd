import { describe, expect, it } from 'vitest';
import { formatLogfmtTags, parseLogfmtTags } from './logfmt.js';

describe('logfmt tags', () => {
  it('reads key=value pairs and quoted values with escapes', () => {
    expect(parseLogfmtTags('app.cache_hit=false')).toEqual({ ok: true, tags: { 'app.cache_hit': 'false' } });
    expect(parseLogfmtTags('  a=1   b="two words"  c="say \\"hi\\"" d="" ')).toEqual({
      ok: true,
      tags: { a: '1', b: 'two words', c: 'say "hi"', d: '' },
    });
    expect(parseLogfmtTags('')).toEqual({ ok: true, tags: {} });
    expect(parseLogfmtTags('http.url=http://x/?a=b')).toEqual({ ok: true, tags: { 'http.url': 'http://x/?a=b' } });
  });

  it.each([
    ['app.cache_hit', '"app.cache_hit" has no value: write app.cache_hit=value'],
    ['a=1 =2', 'a value without a key at "=2"'],
    ['a="open', 'the quoted value of "a" is not closed: add a final "'],
    ['a="x"y', 'text right after the closing quote of "a": separate tags with a space'],
    ['a=x"y', 'a stray quote in the value of "a": quote the whole value, a="…"'],
    ['a= b=1', '"a" has an empty value: write a="" for an empty text'],
    ['"a"=1', 'a quote in the key at ""a"=1": quote the value only, key="value"'],
  ])('%s → names the bad part', (text, error) => {
    expect(parseLogfmtTags(text)).toEqual({ ok: false, error });
  });

  it('writes a map back as text that parses to the same map', () => {
    const tags = { a: '1', b: 'two words', c: 'say "hi"', d: '', e: 'x=y' };
    const text = formatLogfmtTags(tags);
    expect(parseLogfmtTags(text)).toEqual({ ok: true, tags });
  });
});

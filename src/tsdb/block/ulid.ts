// ULIDs name block directories, as in Prometheus (which refuses a directory whose name does not
// parse as one): 48 bits of milliseconds and 80 random bits in Crockford's base32, 26 characters.
import { randomBytes } from 'node:crypto';

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

export function newUlid(ms: number = Date.now()): string {
  let time = '';
  let t = Math.floor(ms);
  for (let i = 0; i < 10; i++) {
    time = ALPHABET[t % 32]! + time;
    t = Math.floor(t / 32);
  }
  // 80 random bits → 16 characters of 5 bits.
  const r = randomBytes(10);
  let rand = '';
  let acc = 0;
  let bits = 0;
  for (const b of r) {
    acc = (acc << 8) | b;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      rand += ALPHABET[(acc >>> bits) & 31]!;
    }
    acc &= (1 << bits) - 1;
  }
  return time + rand;
}

/** Whether a name is a well-formed ULID (a block directory rather than a temp or stray one). */
export function isUlid(name: string): boolean {
  return /^[0-7][0-9A-HJKMNP-TV-Z]{25}$/.test(name);
}

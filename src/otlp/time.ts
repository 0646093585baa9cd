// OTLP times are uint64 nanoseconds, read into a double: at today's epoch a double is 256 ns apart,
// so an exact millisecond such as 1,733,100,000,123,000,000 ns can come out a few ns below it, and a
// plain floor(ns / 1e6) then lands a whole millisecond early (about one exact millisecond in seven).

/** Half a microsecond: more than the double's rounding of the nanoseconds and of the division. */
const ROUNDING_NS = 512;

/** The millisecond a nanosecond time falls in, robust to the double's rounding of exact milliseconds. */
export function nanosToMillis(timeUnixNano: number): number {
  return Math.floor((timeUnixNano + ROUNDING_NS) / 1e6);
}

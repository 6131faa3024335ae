/**
 * `since_date` / `end_date` as OSCaR reads them: Ruby `Time.parse` in the server's zone, which this simulator
 * takes to be UTC (ActiveRecord runs in UTC). Accepted forms are the ones real callers send:
 * `YYYY-MM-DD`, `YYYY-MM-DD HH:MM[:SS[.fff]]`, the same with `T`, `/` separators, a `Z`/`UTC`/`±HH[:MM]`
 * offset, and `YYYYMMDD`. Anything else is "unparseable", which the server turns into a 500.
 *
 * Like Ruby, a day past the month's end but ≤ 31 rolls over (`2025-02-30` → 2 March); day 32 or month 13 fails.
 *
 * @example parseRubyTime('2025-08-02 00:00:00') // Date 2025-08-02T00:00:00.000Z
 */
export function parseRubyTime(input: string): Date | null {
  const text = input.trim();
  const match =
    /^(\d{4})[-/]?(\d{1,2})[-/]?(\d{1,2})(?:(?:[T\s]+)(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?\s*(Z|UTC|GMT|[+-]\d{2}(?::?\d{2})?)?$/i.exec(
      text,
    );
  if (!match) return null;
  const [, year, month, day, hour, minute, second, fraction, zone] = match;
  const parts = [year, month, day, hour ?? '0', minute ?? '0', second ?? '0'].map(Number);
  const [y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0] = parts;
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 24 || mi > 59 || s > 60) return null;
  const milliseconds = fraction === undefined ? 0 : Math.floor(Number(`0.${fraction}`) * 1000);
  let time = Date.UTC(y, mo - 1, d, h, mi, s, milliseconds);
  if (zone !== undefined && /^[+-]/.test(zone)) {
    const sign = zone.startsWith('-') ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    const offsetMinutes = Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2) || '0');
    time -= sign * offsetMinutes * 60_000;
  }
  return new Date(time);
}

/** Days since the epoch (UTC) of an instant: what `DATE(column)` compares in group B. */
export function utcDay(time: Date | number): number {
  const ms = typeof time === 'number' ? time : time.getTime();
  return Math.floor(ms / 86_400_000);
}

/** `YYYY-MM-DD` of an instant in UTC: the server's "today". */
export function isoDate(time: Date): string {
  return time.toISOString().slice(0, 10);
}

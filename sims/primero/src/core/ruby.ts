/** Ruby semantics the simulator has to copy literally (string splitting, `to_i`, `Time#to_s`). */

/** `String#split(separator)` with a string separator: trailing empty strings are dropped, leading ones kept. */
export function rubySplit(value: string, separator: string): string[] {
  const parts = value.split(separator);
  while (parts.length > 0 && parts[parts.length - 1] === '') parts.pop();
  return parts;
}

/** `String#to_i`: leading whitespace, optional sign and digits; anything else gives 0. */
export function rubyToI(value: string): number {
  const match = /^\s*([+-]?\d+)/.exec(value);
  return match?.[1] === undefined ? 0 : Number.parseInt(match[1], 10);
}

/** `Time#to_s` of a UTC time: `2023-08-24 06:01:12 UTC`. */
export function rubyTimeToS(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/** `Date#to_s`: `2023-08-24`. */
export function rubyDateToS(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

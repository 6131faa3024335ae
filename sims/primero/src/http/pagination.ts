import type { RailsParams } from '../core/rails-query.ts';
import { rubyToI } from '../core/ruby.ts';

/**
 * The Pagination concern: `page` (default 1) and `per` (default 20) through Ruby's `to_i`, so a
 * non-numeric value is 0; from v2.10.3 `per` is capped at 1000.
 */
export function pageParams(params: RailsParams, cap: number | null): { page: number; per: number } {
  const page = toI(params.page) ?? 1;
  let per = toI(params.per) ?? 20;
  if (cap !== null) per = Math.min(per, cap);
  return { page, per };
}

function toI(value: RailsParams[string] | undefined): number | undefined {
  return typeof value === 'string' ? rubyToI(value) : undefined;
}

export function stringParam(params: RailsParams, key: string): string | undefined {
  const value = params[key];
  return typeof value === 'string' ? value : undefined;
}

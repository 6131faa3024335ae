import type { MatchKind } from '../fields.ts';
import { filterableFields, sortableTextFields } from '../fields.ts';

/**
 * `order_by` / `order` (Pagination concern + Sunspot, v2.5.7): any indexed single-valued field; the text
 * fields `name`, `case_id_display`, `national_id_no` sort through their `*_sortable` copies. An unknown
 * field, a multi-valued field or an unknown direction makes Solr/Sunspot raise (500).
 */

export type SortPlan =
  | { readonly ok: true; readonly field: string; readonly kind: MatchKind; readonly descending: boolean }
  | { readonly ok: false; readonly message: string };

const directions = new Map([
  ['asc', false],
  ['ascending', false],
  ['desc', true],
  ['descending', true],
]);

export function planSort(orderBy: string, order: string): SortPlan {
  const descending = directions.get(order);
  if (descending === undefined) {
    return {
      ok: false,
      message: `Unknown sort direction ${order}. Acceptable input is: asc, ascending, desc, descending`,
    };
  }
  const kind = sortableTextFields.has(orderBy) ? 'text' : filterableFields.get(orderBy);
  if (kind === undefined)
    return { ok: false, message: `No field configured for Child with name '${orderBy}'` };
  if (kind === 'multi') {
    return {
      ok: false,
      message: `RSolr::Error::Http - 400 Bad Request: can not sort on multivalued field: ${orderBy}`,
    };
  }
  return { ok: true, field: orderBy, kind, descending };
}

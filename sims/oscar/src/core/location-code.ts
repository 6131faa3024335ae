/**
 * Cambodian admin codes as OSCaR stores them: province 2 digits, district 4, commune 6, village 8,
 * zero-padded. On input the level comes from the length (1–2 province, 3–4 district, 5–6 commune,
 * ≥7 village) and the code is left-padded with `0`. On output the most specific code is emitted.
 *
 * @example normalizeLocationCode('1070101') // { level: 'village', code: '01070101' }
 */
export type LocationLevel = 'province' | 'district' | 'commune' | 'village';

export interface LocationCode {
  level: LocationLevel;
  code: string;
}

export function normalizeLocationCode(input: string | number | null | undefined): LocationCode | null {
  if (input === null || input === undefined) return null;
  const text = String(input).trim();
  if (text === '') return null;
  const length = text.length;
  if (length <= 2) return { level: 'province', code: text.padStart(2, '0') };
  if (length <= 4) return { level: 'district', code: text.padStart(4, '0') };
  if (length <= 6) return { level: 'commune', code: text.padStart(6, '0') };
  return { level: 'village', code: text.padStart(8, '0') };
}

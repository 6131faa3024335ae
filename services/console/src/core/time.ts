import type { Language, Translate } from './messages.ts';

/** Dates and durations as the pages show them: in the console's time zone, in the reader's language. */
export interface TimeFormat {
  /** `2 Dec 2026, 17:45:03` (or the Khmer equivalent); `—` for none. */
  at: (date: Date | string | null | undefined) => string;
  /** `3 min`, `2 h 5 min`, `4 days`. */
  duration: (ms: number) => string;
  /** `3 min ago`. */
  ago: (date: Date | string | null | undefined, now: Date) => string;
}

export function timeFormat(language: Language, timeZone: string, t: Translate): TimeFormat {
  const format = new Intl.DateTimeFormat(language === 'km' ? 'km-KH' : 'en-GB', {
    dateStyle: 'medium',
    timeStyle: 'medium',
    timeZone,
  });
  const duration = (ms: number) => {
    const seconds = Math.max(0, Math.round(ms / 1000));
    if (seconds < 90) return t('unit.s', { n: seconds });
    const minutes = Math.round(seconds / 60);
    if (minutes < 90) return t('unit.min', { n: minutes });
    const hours = Math.floor(minutes / 60);
    if (hours < 48) {
      const rest = minutes % 60;
      return rest === 0
        ? t('unit.h', { n: hours })
        : `${t('unit.h', { n: hours })} ${t('unit.min', { n: rest })}`;
    }
    return t('unit.d', { n: Math.floor(hours / 24) });
  };
  const toDate = (value: Date | string | null | undefined) => {
    if (value === null || value === undefined || value === '') return null;
    const date = value instanceof Date ? value : new Date(value);
    return Number.isNaN(date.getTime()) ? null : date;
  };
  return {
    at: (value) => {
      const date = toDate(value);
      return date ? format.format(date) : '—';
    },
    duration,
    ago: (value, now) => {
      const date = toDate(value);
      return date
        ? t('common.ago', { duration: duration(now.getTime() - date.getTime()) })
        : t('common.never');
    },
  };
}

/**
 * How far a poller's cursor is behind now: a date-time (Primero) or a day (OSCaR). Null when it is not a
 * time, or is still the starting point (1970) because the source has had no change yet: no lag to speak of.
 */
export function cursorLagMs(cursor: string | null | undefined, now: Date): number | null {
  if (!cursor) return null;
  const at = Date.parse(cursor);
  if (Number.isNaN(at) || at < Date.UTC(2000, 0, 1)) return null;
  return Math.max(0, now.getTime() - at);
}

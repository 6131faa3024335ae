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
    // 24-hour in both languages: an administrator compares these times with the systems' logs.
    hourCycle: 'h23',
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
 * How far behind its source a poller is: the time since its last successful poll, whose start is the newest
 * moment up to which every change in the source has been read (as `sync_poll_lag_seconds` measures it). The
 * cursor's own age says nothing about lag: it stays put while the source has no changes. Null before the
 * first successful poll.
 */
export function pollLagMs(lastSuccessAt: string | null | undefined, now: Date): number | null {
  if (!lastSuccessAt) return null;
  const at = Date.parse(lastSuccessAt);
  return Number.isNaN(at) ? null : Math.max(0, now.getTime() - at);
}

import { describe, expect, it } from 'vitest';

import { lockedFor, recordFailure, recordSuccess, type ThrottleState } from '../src/core/login-throttle.ts';
import { translator } from '../src/core/messages.ts';
import { pollLagMs, timeFormat } from '../src/core/time.ts';
import { safeLocal } from '../src/http/context.ts';
import { html, raw } from '../src/views/html.ts';

describe('html', () => {
  // Called through another name, so that the formatter leaves these templates as written.
  const h = html;
  it('escapes every value it is given and keeps markup made by html or raw', () => {
    const reason = '<script>alert("x")</script> & \'y\'';
    expect(h`<td>${reason}</td>`.value).toBe(
      '<td>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;y&#39;</td>',
    );
    expect(h`<p>${h`<b>${'a<b'}</b>`}${raw('<br>')}</p>`.value).toBe('<p><b>a&lt;b</b><br></p>');
    expect(h`<ul>${['a', '<b>'].map((x) => h`<li>${x}</li>`)}</ul>`.value).toBe(
      '<ul><li>a</li><li>&lt;b&gt;</li></ul>',
    );
    expect(h`${null}${undefined}${false}${0}`.value).toBe('0');
  });
});

describe('dates and durations', () => {
  it('shows times in Phnom Penh time, in either language', () => {
    const at = new Date('2026-12-02T17:45:03Z');
    expect(timeFormat('en', 'Asia/Phnom_Penh', translator('en')).at(at)).toBe('3 Dec 2026, 00:45:03');
    expect(timeFormat('km', 'Asia/Phnom_Penh', translator('km')).at(at)).toMatch(/[\u1780-\u17ff]/);
    expect(timeFormat('en', 'Asia/Phnom_Penh', translator('en')).at(null)).toBe('—');
  });

  it('says how long ago, in words', () => {
    const time = timeFormat('en', 'UTC', translator('en'));
    expect(time.duration(30_000)).toBe('30 s');
    expect(time.duration(5 * 60_000)).toBe('5 min');
    expect(time.duration(125 * 60_000)).toBe('2 h 5 min');
    expect(time.duration(3 * 86_400_000)).toBe('3 days');
    const now = new Date('2026-12-02T12:00:00Z');
    expect(time.ago('2026-12-02T11:57:00Z', now)).toBe('3 min ago');
    expect(time.ago(null, now)).toBe('never');
  });

  it('measures a poller’s lag from its last successful poll', () => {
    const now = new Date('2026-12-02T12:00:00Z');
    expect(pollLagMs('2026-12-02T11:59:00.000Z', now)).toBe(60_000);
    expect(pollLagMs('not a time', now)).toBeNull();
    expect(pollLagMs(null, now)).toBeNull();
  });
});

describe('sign-in throttle', () => {
  it('locks an address out after five wrong passwords in a quarter of an hour, and forgets it later', () => {
    const state: ThrottleState = new Map();
    const t0 = 1_000_000;
    for (let i = 0; i < 4; i += 1) recordFailure(state, '10.0.0.1', t0 + i * 1000);
    expect(lockedFor(state, '10.0.0.1', t0 + 5000)).toBe(0);
    recordFailure(state, '10.0.0.1', t0 + 5000);
    expect(lockedFor(state, '10.0.0.1', t0 + 6000)).toBeGreaterThan(14 * 60_000);
    expect(lockedFor(state, '10.0.0.2', t0 + 6000)).toBe(0);
    expect(lockedFor(state, '10.0.0.1', t0 + 5000 + 15 * 60_000)).toBe(0);
  });

  it('counts only failures within the window, and a success clears them', () => {
    const state: ThrottleState = new Map();
    for (let i = 0; i < 4; i += 1) recordFailure(state, 'a', i * 20 * 60_000);
    expect(lockedFor(state, 'a', 4 * 20 * 60_000)).toBe(0);
    recordFailure(state, 'b', 0);
    recordSuccess(state, 'b');
    expect(state.has('b')).toBe(false);
  });
});

describe('redirects', () => {
  it('go only to paths of the console', () => {
    expect(safeLocal('/dead-letters?state=all')).toBe('/dead-letters?state=all');
    for (const target of [
      '//evil.example',
      'https://evil.example',
      '/\\evil',
      '',
      undefined,
      'dead-letters',
    ]) {
      expect(safeLocal(target), String(target)).toBe('/');
    }
  });
});

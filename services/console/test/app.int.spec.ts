import { createOscarClient, createPrimeroClient } from '@pos/clients';
import { checkMappingsAgainstLive } from '@pos/mapping-check';
import { type DeadLetterDatabase, inboxMigrations, migrateSchema, recordDeadLetter } from '@pos/messaging';
import { createDb, createLogger, createPool, loadMappingTables } from '@pos/runtime';
import { checkLeaks, useTestDatabase } from '@pos/testkit';
import type { FastifyInstance } from 'fastify';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createPollersClient } from '../src/adapters/pollers.client.ts';
import { createQueueDepthReader } from '../src/adapters/rabbitmq-management.ts';
import {
  type ConsoleDatabase,
  consoleSchema,
  createSessionStore,
  migrateConsole,
} from '../src/adapters/sessions.repository.ts';
import { hashPassword } from '../src/auth/password-hash.ts';
import { en } from '../src/core/messages.ts';
import { buildApp, sessionCookieName } from '../src/http/app.ts';

// The console in-process against a real database: sign-in, sessions in Postgres, CSRF on every form, and
// the pages in both languages. (The browser walk against the whole running system is console.e2e.spec.ts.)

const password = 'a long test password';

/**
 * The English catalogue, each label by its longest fixed piece (between placeholders), escaped as a page
 * escapes it; short pieces, which may match an id by chance, left out. A Khmer page must contain none.
 */
const englishLabels = Object.entries(en)
  .filter(([key]) => !key.startsWith('lang.'))
  .map(([key, text]) => {
    const piece =
      text
        .split(/\{\w+\}/)
        .sort((a, b) => b.length - a.length)[0]
        ?.trim() ?? '';
    return [key, piece.replaceAll('&', '&amp;').replaceAll('"', '&quot;').replaceAll("'", '&#39;')] as const;
  })
  .filter(([, piece]) => piece.length > 12);

/** A browser without a browser: keeps the cookies, reads the CSRF token a page's forms carry. */
class Client {
  cookies = new Map<string, string>();
  private readonly app: FastifyInstance;
  constructor(app: FastifyInstance) {
    this.app = app;
  }
  async request(method: 'GET' | 'POST', url: string, form?: Record<string, string>) {
    const response = await this.app.inject({
      method,
      url,
      headers: {
        cookie: [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '),
        ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
      },
      ...(form ? { payload: new URLSearchParams(form).toString() } : {}),
    });
    for (const cookie of response.cookies) {
      if (cookie.value === '' || (cookie.expires && cookie.expires.getTime() < Date.now()))
        this.cookies.delete(cookie.name);
      else this.cookies.set(cookie.name, cookie.value);
    }
    return response;
  }
  async csrf(url = '/login'): Promise<string> {
    const page = await this.request('GET', url);
    const token = /name="_csrf" value="([^"]+)"/.exec(page.body)?.[1];
    if (!token) throw new Error(`no CSRF token on ${url}: ${page.statusCode}`);
    return token;
  }
  async signIn(user = 'admin', pass = password) {
    return this.request('POST', '/login', { _csrf: await this.csrf(), user, password: pass, next: '/' });
  }
}

describe('console: sign-in, sessions, CSRF, pages', () => {
  const database = useTestDatabase('console');
  checkLeaks({ scope: 'file' });
  let pool: pg.Pool;
  let app: FastifyInstance;
  let deadLetterId = '';

  beforeAll(async () => {
    pool = createPool(database.url, { applicationName: 'console-test' });
    const db = createDb<unknown>(pool);
    await migrateConsole(db);
    await migrateSchema(db, 'primero_writer', inboxMigrations());
    deadLetterId = await recordDeadLetter(
      createDb<DeadLetterDatabase>(pool).withSchema('primero_writer'),
      {
        service: 'primero-writer',
        kind: 'event',
        eventId: null,
        route: 'oscar.case.changed',
        subject: 'oscar:glob-1',
        caseId: null,
        globalId: 'glob-1',
        code: 'UNKNOWN_PROVINCE',
        reason:
          'OSCaR client glob-1 location_current_village_code: province "12" is not in config/mappings/provinces.csv — add a row for it',
        attempts: 1,
        firstFailedAt: null,
        mappingVersion: '2026-12-01',
        originalRoutingKey: 'oscar.case.changed.0',
        originalQueue: 'primero-writer.p0',
        headers: {},
      },
      null,
    );
    app = buildApp({
      logger: createLogger({ service: 'console-test', level: 'silent' }),
      readiness: { accepting: true, checks: {} },
      auth: {
        user: 'admin',
        passwordHash: await hashPassword(password, { N: 1024, r: 8, p: 1 }),
        sessionSecret: 'a-session-secret-of-at-least-32-characters',
        sessionMinutes: 60,
        cookieSecure: false,
      },
      sessionStore: createSessionStore(createDb<ConsoleDatabase>(pool).withSchema(consoleSchema), 3_600_000),
      db,
      // Nothing listens there: the overview must say so, in words.
      pollers: createPollersClient({
        urls: { 'primero-poller': 'http://127.0.0.1:9', 'oscar-poller': 'http://127.0.0.1:9' },
        adminToken: 'token-token-token-token',
      }),
      queueDepths: createQueueDepthReader({
        managementUrl: 'http://127.0.0.1:9',
        amqpUrl: 'amqp://guest:guest@127.0.0.1:5672/x',
      }),
      mappings: {
        dir: 'config/mappings',
        load: () => loadMappingTables('config/mappings'),
        // Nothing listens at either address: the check must report both systems unread, in words.
        check: (tables) =>
          checkMappingsAgainstLive({
            tables,
            primero: createPrimeroClient({
              baseUrl: 'http://127.0.0.1:9',
              user: 'u',
              password: 'p',
              auth: 'basic',
            }),
            oscar: createOscarClient({ baseUrl: 'http://127.0.0.1:9', email: 'e@x', password: 'p' }),
          }),
      },
      cipher: null,
      timeZone: 'Asia/Phnom_Penh',
      jaegerUiUrl: '',
    });
    await app.ready();
  });
  afterAll(async () => {
    await app?.close();
    await pool?.end();
  });

  it('sends a visitor without a session to the sign-in page, and keeps health open', async () => {
    const client = new Client(app);
    const page = await client.request('GET', '/dead-letters?state=all');
    expect(page.statusCode).toBe(303);
    expect(page.headers.location).toBe('/login?next=%2Fdead-letters%3Fstate%3Dall');
    expect((await client.request('GET', '/health/live')).statusCode).toBe(200);
    // A stranger's unknown URL gets a page without forms, and no session is stored for it.
    const sessions = async () =>
      ((await pool.query('select count(*)::int as n from console.sessions')).rows[0] as { n: number }).n;
    const before = await sessions();
    const missing = await client.request('GET', '/wp-admin.php');
    expect(missing.statusCode).toBe(404);
    expect(missing.body).not.toContain('<form');
    expect(await sessions()).toBe(before);
    const post = await client.request('POST', '/dead-letters/discard', {
      ref: `primero-writer/${deadLetterId}`,
      reason: 'x',
    });
    expect([401, 403]).toContain(post.statusCode);
  });

  it('refuses a wrong password or user name, and a sign-in without the CSRF token', async () => {
    const client = new Client(app);
    const wrong = await client.signIn('admin', 'not the password');
    expect(wrong.statusCode).toBe(401);
    expect(wrong.body).toContain(en['auth.wrong']);
    expect(wrong.body).not.toContain('not the password');
    expect((await client.signIn('root', password)).statusCode).toBe(401);
    await client.csrf();
    const noToken = await client.request('POST', '/login', { user: 'admin', password, next: '/' });
    expect(noToken.statusCode).toBe(403);
    expect(noToken.body).toContain(en['error.forbidden']);
    expect((await client.request('GET', '/')).statusCode).toBe(303);
  });

  it('signs in with a new session id, sets an httpOnly SameSite cookie, and shows the overview', async () => {
    const client = new Client(app);
    await client.csrf();
    const before = client.cookies.get(sessionCookieName);
    const signedIn = await client.signIn();
    expect(signedIn.statusCode).toBe(303);
    expect(signedIn.headers.location).toBe('/');
    const cookie = signedIn.cookies.find((c) => c.name === sessionCookieName);
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/' });
    expect(client.cookies.get(sessionCookieName)).not.toBe(before);
    const overview = await client.request('GET', '/');
    expect(overview.statusCode).toBe(200);
    expect(overview.headers['content-security-policy']).toContain("default-src 'none'");
    expect(overview.body).toContain(en['poller.state.unreachable']);
    expect(overview.body).toContain('Signed in as admin');
    expect(overview.body).toContain('data-testid="open-dead-letters">1<');
    const rows = await pool.query('select count(*)::int as n from console.sessions');
    expect((rows.rows[0] as { n: number }).n).toBeGreaterThan(0);
  });

  it('refuses a form post without its CSRF token: 403, and the dead letter stays open', async () => {
    const client = new Client(app);
    await client.signIn();
    const ref = `primero-writer/${deadLetterId}`;
    for (const form of [
      { ref, reason: 'no token' },
      { ref, reason: 'forged', _csrf: 'forged-token' },
    ]) {
      const response = await client.request('POST', '/dead-letters/discard', form);
      expect(response.statusCode).toBe(403);
    }
    const row = await pool.query('select discarded_at from primero_writer.dead_letters where id = $1', [
      deadLetterId,
    ]);
    expect((row.rows[0] as { discarded_at: Date | null }).discarded_at).toBeNull();
    const actions = await pool.query('select count(*)::int as n from primero_writer.dead_letter_actions');
    expect((actions.rows[0] as { n: number }).n).toBe(0);
    const page = await client.request('GET', `/dead-letters/${ref}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain(en['code.UNKNOWN_PROVINCE']);
  });

  it('shows every page in Khmer, with no English label left', async () => {
    const client = new Client(app);
    await client.signIn();
    const switched = await client.request('POST', '/language', {
      _csrf: await client.csrf('/'),
      language: 'km',
      back: '/mappings',
    });
    expect(switched.statusCode).toBe(303);
    expect(switched.headers.location).toBe('/mappings');
    for (const path of [
      '/',
      '/dead-letters?state=all',
      `/dead-letters/primero-writer/${deadLetterId}`,
      '/cases?q=glob-1',
      '/mappings',
    ]) {
      const page = await client.request('GET', path);
      expect(page.statusCode, path).toBe(200);
      expect(page.body, path).toContain('lang="km"');
      const english = englishLabels.filter(([, piece]) => page.body.includes(piece));
      expect(
        english.map(([key]) => key),
        path,
      ).toEqual([]);
    }
  });

  it('ends the session at sign-out: the old cookie no longer works', async () => {
    const client = new Client(app);
    await client.signIn();
    const cookie = client.cookies.get(sessionCookieName) ?? '';
    expect((await client.request('GET', '/')).statusCode).toBe(200);
    const out = await client.request('POST', '/logout', { _csrf: await client.csrf('/') });
    expect(out.statusCode).toBe(303);
    const replayed = new Client(app);
    replayed.cookies.set(sessionCookieName, cookie);
    expect((await replayed.request('GET', '/')).statusCode).toBe(303);
  });

  it('replays every dead letter a filtered list shows, and says in words why one cannot be', async () => {
    const client = new Client(app);
    await client.signIn();
    const token = await client.csrf('/dead-letters?code=UNKNOWN_PROVINCE');
    const replayed = await client.request('POST', '/dead-letters/replay', {
      _csrf: token,
      all: 'shown',
      code: 'UNKNOWN_PROVINCE',
      service: '',
      case: '',
      global: '',
      newerThan: '',
    });
    expect(replayed.statusCode).toBe(303);
    expect(replayed.headers.location).toBe('/dead-letters?code=UNKNOWN_PROVINCE&state=open');
    const page = await client.request('GET', replayed.headers.location as string);
    // Its event was never kept (no DEAD_LETTER_KEY when it failed): it stays open, and the page says why.
    expect(page.body).toContain('Not replayed: its event is no longer kept');
    expect(page.body).toContain(`data-ref="primero-writer/${deadLetterId}"`);
    const actions = await pool.query('select actor, action, outcome from primero_writer.dead_letter_actions');
    expect(actions.rows).toEqual([{ actor: 'admin', action: 'replay', outcome: 'not-replayable' }]);
  });

  it('finds a dead-lettered client by its global id, and discards it with a reason, as the signed-in user', async () => {
    const client = new Client(app);
    await client.signIn();
    const found = await client.request('GET', '/cases?q=glob-1');
    expect(found.body).toContain(`primero-writer/${deadLetterId}`);
    const ref = `primero-writer/${deadLetterId}`;
    const token = await client.csrf(`/dead-letters/${ref}`);
    const noReason = await client.request('POST', '/dead-letters/discard', {
      _csrf: token,
      ref,
      reason: ' ',
    });
    expect(noReason.statusCode).toBe(303);
    expect(
      (
        (
          await pool.query('select discarded_at from primero_writer.dead_letters where id = $1', [
            deadLetterId,
          ])
        ).rows[0] as { discarded_at: Date | null } | undefined
      )?.discarded_at,
    ).toBeNull();
    const discarded = await client.request('POST', '/dead-letters/discard', {
      _csrf: await client.csrf(`/dead-letters/${ref}`),
      ref,
      reason: 'client was a test record',
    });
    expect(discarded.statusCode).toBe(303);
    const action = await pool.query(
      "select actor, action, detail from primero_writer.dead_letter_actions where action = 'discard'",
    );
    expect(action.rows).toEqual([{ actor: 'admin', action: 'discard', detail: 'client was a test record' }]);
    const page = await client.request('GET', discarded.headers.location as string);
    expect(page.body).toContain('Discarded 1');
  });

  it('checks the tables against the live systems on request, and says which could not be read', async () => {
    const client = new Client(app);
    await client.signIn();
    expect((await client.request('GET', '/mappings')).body).toContain(en['mappings.notCheckedYet']);
    const checked = await client.request('POST', '/mappings/check', {
      _csrf: await client.csrf('/mappings'),
    });
    expect(checked.statusCode).toBe(303);
    const page = await client.request('GET', '/mappings');
    expect(page.body).toContain('data-testid="check-errors"');
    expect(page.body).toContain('Last check:');
    // The check's report in Khmer too.
    await client.request('POST', '/language', {
      _csrf: await client.csrf('/mappings'),
      language: 'km',
      back: '/',
    });
    const khmer = await client.request('GET', '/mappings');
    expect(khmer.body).toContain('data-testid="check-errors"');
    expect(englishLabels.filter(([, piece]) => khmer.body.includes(piece)).map(([key]) => key)).toEqual([]);
  });

  it('slows down guessing: the sixth wrong password from one address is refused for a while', async () => {
    const client = new Client(app);
    for (let i = 0; i < 5; i += 1) expect((await client.signIn('admin', `guess ${i}`)).statusCode).toBe(401);
    const locked = await client.signIn();
    expect(locked.statusCode).toBe(429);
  });
});

import { randomBytes } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import { adminToken, type System, useSystem } from '@pos/e2e';
import { type ServiceProcess, startServiceProcess } from '@pos/testkit';
import pg from 'pg';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { hashPassword } from '../src/auth/password-hash.ts';
import { en } from '../src/core/messages.ts';

// The operator's repair loop in a real browser (Debian's chromium, headless), against the whole system: both
// simulators, the four services and the console as processes, real Postgres and RabbitMQ. An OSCaR client in a
// province the mapping table lacks is dead-lettered; the administrator signs in, polls OSCaR now, finds the
// client by its global id, reads why it failed, adds the province, restarts the writer, replays it from the
// console and sees it applied. A wrong password and a form post without its CSRF token are refused.

const root = new URL('../../../', import.meta.url).pathname;
const mappings = mkdtempSync(join(tmpdir(), 'pos-console-mappings-'));
cpSync(join(root, 'config/mappings'), mappings, { recursive: true });
const provinces = readFileSync(join(mappings, 'provinces.csv'), 'utf8');
writeFileSync(
  join(mappings, 'provinces.csv'),
  provinces
    .split('\n')
    .filter((line) => !line.startsWith('12,'))
    .join('\n'),
);
const key = randomBytes(32).toString('base64');
const password = 'console e2e password';
/** Where the pages' screenshots go, to be looked at (CONSOLE_SCREENSHOTS, else a temporary folder). */
const screenshots = process.env.CONSOLE_SCREENSHOTS ?? join(tmpdir(), 'pos-console-screenshots');
mkdirSync(screenshots, { recursive: true });

const chromiumArgs = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

describe('operator console in the browser: find a dead-lettered client, read why, replay it', () => {
  const system = useSystem({ label: 'e2e_console', env: { MAPPINGS_DIR: mappings, DEAD_LETTER_KEY: key } });
  let consoleProcess: ServiceProcess;
  let browser: Browser;
  let page: Page;
  let pool: pg.Pool;

  beforeAll(async () => {
    consoleProcess = await startConsole(system);
    pool = new pg.Pool({ connectionString: system.databaseUrl, max: 2 });
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: chromiumArgs });
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  });
  afterAll(async () => {
    await browser?.close();
    await pool?.end();
    await consoleProcess?.stop();
    rmSync(mappings, { recursive: true, force: true });
  });

  const url = (path: string) => `${consoleProcess.baseUrl}${path}`;
  const shot = (name: string) => page.screenshot({ path: join(screenshots, `${name}.png`), fullPage: true });

  it('refuses a wrong password', async () => {
    await page.goto(url('/'));
    expect(new URL(page.url()).pathname).toBe('/login');
    await page.fill('input[name=user]', 'admin');
    await page.fill('input[name=password]', 'not the password');
    await page.click('button[type=submit]:has-text("Sign in")');
    await expect.poll(() => page.textContent('[role=status]')).toContain(en['auth.wrong']);
    expect(new URL(page.url()).pathname).toBe('/login');
    await shot('login-refused');
    await page.goto(url('/dead-letters'));
    expect(new URL(page.url()).pathname).toBe('/login');
  });

  it('signs in, finds the client by its global id, reads why, replays it and sees it applied', async () => {
    const created = await system.oscarControl('POST', '/_control/clients', {
      organization: 'cif',
      given_name: 'Dara',
      family_name: 'Console',
      gender: 'male',
      date_of_birth: '2012-02-02',
      location_code: '12010203',
      case_worker: { name: 'Dara Kim', mobile: '012345678' },
      refer_to_mosvy: { services: ['Trauma counselling'], reason: 'needs care', level_of_risk: 'medium' },
    });
    expect(created.status).toBe(201);
    const globalId = String((created.body as { global_id: unknown }).global_id);
    const slug = String((created.body as { slug: unknown }).slug);

    await page.goto(url('/'));
    await page.fill('input[name=user]', 'admin');
    await page.fill('input[name=password]', password);
    await page.click('button[type=submit]:has-text("Sign in")');
    await page.waitForURL(url('/'));
    expect(await page.textContent('header')).toContain('Signed in as admin');

    // "Poll now" on the OSCaR poller, until the writer has dead-lettered the client.
    const deadline = Date.now() + 60_000;
    let found = false;
    while (!found && Date.now() < deadline) {
      await page.goto(url('/'));
      await page.click('[data-testid=poller-oscar-poller] button:has-text("Poll now")');
      await page.waitForURL(url('/'));
      expect(await page.textContent('[role=status]')).toContain('OSCaR poller');
      await page.goto(url(`/cases?q=${encodeURIComponent(globalId)}`));
      found = (await page.locator('[data-testid=case-dead-letters] tr[data-ref]').count()) > 0;
      if (!found) await sleep(500);
    }
    expect(found).toBe(true);
    await page.goto(url('/'));
    expect(Number(await page.textContent('[data-testid=open-dead-letters]'))).toBeGreaterThanOrEqual(1);
    await shot('overview');

    // Find it, as an administrator would: by the id OSCaR shows.
    await page.goto(url('/cases'));
    await page.fill('input[name=q]', globalId);
    await page.click('button:has-text("Search")');
    const row = page.locator('[data-testid=case-dead-letters] tr[data-ref]').first();
    expect(await row.textContent()).toContain(en['code.UNKNOWN_PROVINCE']);
    await shot('case-dead-lettered');
    await row.locator('a.id').click();
    const ref = new URL(page.url()).pathname.replace('/dead-letters/', '');
    expect(ref).toMatch(/^primero-writer\/\d+$/);
    expect(await page.textContent('[data-testid=plain-reason]')).toBe(en['code.UNKNOWN_PROVINCE']);
    const technical = await page.textContent('[data-testid=technical-reason]');
    expect(technical).toContain('provinces.csv');
    expect(technical).toContain(globalId);
    // The child's name, birth date or case worker never reach the page's reasons.
    expect(await page.content()).not.toMatch(/Dara|Console|2012-02-02|012345678/);
    await shot('dead-letter');

    // The list shows it with its reason in plain words, in Khmer too.
    await page.goto(url(`/dead-letters?global=${encodeURIComponent(globalId)}`));
    expect(await page.textContent(`[data-testid=dead-letters] tr[data-ref="${ref}"]`)).toContain(
      en['code.UNKNOWN_PROVINCE'],
    );
    await shot('dead-letters');
    await page.click('button[lang=km]');
    await page.waitForURL(/\/dead-letters/);
    expect(await page.getAttribute('html', 'lang')).toBe('km');
    expect(await page.textContent('h1')).toBe('កំណត់ត្រាបរាជ័យ');
    await shot('dead-letters-km');
    await page.click('button[lang=en]');
    await page.waitForURL(/\/dead-letters/);

    // The administrator adds the province and restarts the writer (it loads the tables at start).
    writeFileSync(join(mappings, 'provinces.csv'), provinces);
    await system.kill('primero-writer');
    await system.startService('primero-writer');

    await page.goto(url(`/dead-letters/${ref}`));
    await page.click('button:has-text("Replay")');
    await page.waitForURL(url(`/dead-letters/${ref}`));
    expect(await page.textContent('[role=status]')).toContain(`Replayed 1: ${ref}`);
    expect(await page.textContent('h1')).toContain(en['deadLetters.state.replayed']);
    expect(await page.textContent('[data-testid=actions]')).toContain('admin');
    await shot('dead-letter-replayed');

    // It succeeds: the case is in Primero with the province's owner, and the history says so.
    await system.converge(async () => (await casesFor(system, globalId)).length === 1);
    expect((await casesFor(system, globalId))[0]?.owned_by).toBe('mgrpnh');
    const applied = Date.now() + 30_000;
    let outcomes: string[] = [];
    while (Date.now() < applied) {
      await page.goto(url(`/cases?q=${encodeURIComponent(globalId)}`));
      outcomes = await Promise.all(
        (await page.locator('[data-testid=handled] td[data-outcome]').all()).map(
          async (cell) => (await cell.getAttribute('data-outcome')) ?? '',
        ),
      );
      if (outcomes.includes('applied')) break;
      await sleep(500);
    }
    expect(outcomes).toContain('applied');
    expect(await page.textContent('[data-testid=case-dead-letters]')).toContain(
      en['deadLetters.state.replayed'],
    );
    expect(await page.textContent('[data-testid=actions]')).toContain('admin');
    expect(await page.locator('[data-testid=emitted] a:has-text("open in Jaeger")').count()).toBeGreaterThan(
      0,
    );
    await shot('case-replayed');

    // The same history by the Primero case's short display id (once the primero-poller has read the case the
    // writer made), and by the OSCaR client's slug.
    const displayId = (await casesFor(system, globalId))[0]?.case_id_display;
    if (typeof displayId !== 'string') throw new Error('the Primero case has no case_id_display');
    expect(displayId).toMatch(/^\w{7}$/);
    for (const q of [displayId, slug]) {
      const until = Date.now() + 30_000;
      let shown = 0;
      while (shown === 0 && Date.now() < until) {
        await system.poll('primero-poller');
        await page.goto(url(`/cases?q=${encodeURIComponent(q)}`));
        shown = await page.locator(`[data-testid=case-dead-letters] tr[data-ref="${ref}"]`).count();
        if (shown === 0) await sleep(500);
      }
      expect(shown, q).toBe(1);
      expect(await page.textContent('main'), q).toContain(globalId);
    }

    const recorded = await pool.query<{ actor: string; outcome: string }>(
      'select actor, outcome from primero_writer.dead_letter_actions where dead_letter_id = $1',
      [ref.split('/')[1]],
    );
    expect(recorded.rows).toEqual([{ actor: 'admin', outcome: 'queued' }]);

    // The change-management checklist against the simulators: every source read, findings listed.
    await page.goto(url('/mappings'));
    await page.click('[data-testid=mapping-check] button:has-text("Check against the live systems")');
    await page.waitForURL(url('/mappings'));
    expect(await page.textContent('[data-testid=mapping-check]')).toContain('Last check:');
    expect(await page.locator('[data-testid=check-summary]').count()).toBe(1);
    expect(await page.locator('[data-testid=check-errors]').count()).toBe(0);
    await shot('mappings');

    // "Poll now" answers for the Primero poller too.
    await page.goto(url('/'));
    await page.click('[data-testid=poller-primero-poller] button:has-text("Poll now")');
    await page.waitForURL(url('/'));
    expect(await page.textContent('[role=status]')).toContain('Primero poller polled');
    expect(await page.textContent('[data-testid=poller-primero-poller]')).not.toContain(en['common.never']);
  });

  it('refuses a form post without its CSRF token: 403, and nothing happens', async () => {
    // Signed in (the browser keeps the session cookie), but the post carries no token.
    const [open] = (
      await pool.query<{ id: string }>(
        'select id from primero_writer.dead_letters where replayed_at is null and discarded_at is null limit 1',
      )
    ).rows;
    const before = await pool.query('select count(*)::int as n from primero_writer.dead_letter_actions');
    const ref = open ? `primero-writer/${open.id}` : 'primero-writer/1';
    const discard = await page.request.post(url('/dead-letters/discard'), {
      form: { ref, reason: 'forged' },
    });
    expect(discard.status()).toBe(403);
    expect(await discard.text()).toContain(en['error.forbidden']);
    const replay = await page.request.post(url('/dead-letters/replay'), {
      form: { ref, _csrf: 'made-up' },
    });
    expect(replay.status()).toBe(403);
    const after = await pool.query('select count(*)::int as n from primero_writer.dead_letter_actions');
    expect(after.rows).toEqual(before.rows);
    // A form of the console itself still works: the session was not harmed.
    await page.goto(url('/'));
    expect(new URL(page.url()).pathname).toBe('/');
    // What an operator types into the search box (here a child's name) finds nothing and is never logged.
    await page.goto(url(`/cases?q=${encodeURIComponent('Dara Console')}`));
    expect(await page.locator('[data-testid=no-history]').count()).toBe(1);
    expect(consoleProcess.output.join('\n')).not.toMatch(
      /Dara|Console Kim|2012-02-02|012345678|console e2e password/,
    );
  });

  async function startConsole(s: System): Promise<ServiceProcess> {
    return startServiceProcess({
      entry: `${root}services/console/src/main.ts`,
      env: {
        DATABASE_URL: s.databaseUrl,
        AMQP_URL: s.amqpUrl,
        AMQP_MANAGEMENT_URL: s.amqpManagementUrl,
        ADMIN_TOKEN: adminToken,
        PRIMERO_POLLER_URL: s.service('primero-poller').baseUrl,
        OSCAR_POLLER_URL: s.service('oscar-poller').baseUrl,
        PRIMERO_BASE_URL: s.primeroUrl,
        OSCAR_BASE_URL: s.oscarUrl,
        CONSOLE_USER: 'admin',
        CONSOLE_PASSWORD_HASH: await hashPassword(password),
        CONSOLE_SESSION_SECRET: randomBytes(32).toString('hex'),
        DEAD_LETTER_KEY: key,
        MAPPINGS_DIR: mappings,
        JAEGER_UI_URL: 'http://127.0.0.1:16686',
        LOG_LEVEL: 'info',
      },
    });
  }
});

async function casesFor(system: System, globalId: string): Promise<Array<Record<string, unknown>>> {
  const response = await system.primeroControl(
    'GET',
    `/_control/cases?oscar_number=${encodeURIComponent(globalId)}`,
  );
  const body = response.body;
  if (Array.isArray(body)) return body as Array<Record<string, unknown>>;
  const data = (body as { data?: unknown }).data;
  return Array.isArray(data) ? (data as Array<Record<string, unknown>>) : [];
}

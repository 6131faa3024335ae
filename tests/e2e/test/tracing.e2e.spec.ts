import { spawnSync } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

import { asArray, asRecord, createPrimeroCase, oscarReferralsFor, referService } from '../src/scenario.ts';
import { System } from '../src/system.ts';

const root = new URL('../../../', import.meta.url).pathname;

/** One span as an OTLP/HTTP (JSON) receiver gets it, attributes flattened to plain values. */
interface ReceivedSpan {
  service: string;
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  /** OTLP's SpanKind: 1 internal, 2 server, 3 client, 4 producer, 5 consumer. */
  kind: number;
  attributes: Record<string, unknown>;
  links: Array<{ traceId: string; spanId: string }>;
  /** Everything else the span carried (events, link attributes, resource): for the privacy check. */
  raw: string;
}

const server = 2;
const client = 3;
const producer = 4;
const consumer = 5;

function flatten(attributes: unknown): Record<string, unknown> {
  const flat: Record<string, unknown> = {};
  for (const attribute of asArray(attributes)) {
    const value = asRecord(attribute.value);
    flat[String(attribute.key)] = Object.values(value)[0];
  }
  return flat;
}

/** A small OTLP/HTTP receiver (JSON encoding): what a Jaeger or a collector would be sent. */
function startOtlpReceiver(): Promise<{ url: string; spans: ReceivedSpan[]; close: () => Promise<void> }> {
  const spans: ReceivedSpan[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = asRecord(JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown);
      for (const resourceSpans of asArray(body.resourceSpans)) {
        const resource = flatten(asRecord(resourceSpans.resource).attributes);
        for (const scope of asArray(resourceSpans.scopeSpans)) {
          for (const span of asArray(scope.spans)) {
            spans.push({
              service: String(resource['service.name']),
              traceId: String(span.traceId),
              spanId: String(span.spanId),
              parentSpanId: typeof span.parentSpanId === 'string' ? span.parentSpanId : '',
              name: String(span.name),
              kind: Number(span.kind),
              attributes: flatten(span.attributes),
              links: asArray(span.links).map((link) => ({
                traceId: String(link.traceId),
                spanId: String(link.spanId),
              })),
              raw: JSON.stringify({ span, resource }),
            });
          }
        }
      }
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      resolve({
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        spans,
        close: () => new Promise((done) => server.close(() => done())),
      });
    });
  });
}

/** Polls `read` until it gives a value; fails naming `what` when the deadline passes first. */
async function waitFor<T>(read: () => Promise<T | undefined> | T | undefined, what: string, ms = 45_000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await read();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`waited ${ms} ms for ${what}`);
    await sleep(250);
  }
}

// Both as the tests run the services (their sources) and as the image and `pnpm start` run them (the bundles
// of `pnpm build`, where pg and amqplib must stay outside the bundle for their instrumentations to patch them).
describe.each(['sources', 'bundles'] as const)(
  'one trace per change, across the poller and the writer (%s)',
  (entry) => {
    let system: System;
    let receiver: Awaited<ReturnType<typeof startOtlpReceiver>>;

    beforeAll(async () => {
      if (entry === 'bundles') {
        const built = spawnSync(
          process.execPath,
          [`${root}scripts/build.ts`, 'services/oscar-writer', 'services/primero-poller'],
          { encoding: 'utf8' },
        );
        if (built.status !== 0) throw new Error(`pnpm build failed:\n${built.stderr}`);
      }
      receiver = await startOtlpReceiver();
      system = await new System({
        databaseUrl: inject('databaseUrl'),
        amqpUrl: inject('amqpUrl'),
        amqpManagementUrl: inject('amqpManagementUrl'),
        label: `e2e_tracing_${entry}`,
        entry,
        services: ['oscar-writer', 'primero-poller'],
        env: {
          OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
          OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
          OTEL_BSP_SCHEDULE_DELAY: '200',
        },
      }).start();
    });

    afterAll(async () => {
      await system?.stop();
      await receiver?.close();
    });

    it('follows a referral from the Primero poll to the OSCaR upsert, with ids and no personal data', async () => {
      const person = {
        name_first: 'Bopha',
        name_last: 'Sorn',
        date_of_birth: '2013-07-09',
        location_current: '17030405',
      };
      const notes = 'Disclosed violence by a neighbour';
      const users = asArray(asRecord((await system.primeroControl('GET', '/_control/users')).body).data);
      const owner = users.find((user) => user.user_name === 'mgrpnh');
      const ownerPhone = String(owner?.phone);
      const ownerName = String(owner?.full_name);
      expect(ownerPhone).toMatch(/\d{6}/);

      const primeroCase = await createPrimeroCase(system, {
        services: [{ subtype: ['counselling_trauma'] }],
        person,
      });
      await referService(system, primeroCase, primeroCase.serviceIds[0] ?? '', { notes });
      await waitFor(async () => {
        await system.poll('primero-poller');
        return (await oscarReferralsFor(system, primeroCase.caseId)).length === 1 ? true : undefined;
      }, 'the referral to reach OSCaR');

      // The spans arrive in batches (every 200 ms here): wait until the change's trace is whole.
      const change = await waitFor(() => {
        const emits = receiver.spans.filter(
          (span) =>
            span.service === 'primero-poller' &&
            span.name === 'emit primero.case.changed' &&
            span.attributes['sync.case_id'] === primeroCase.caseId,
        );
        for (const emit of emits) {
          const spans = receiver.spans.filter((span) => span.traceId === emit.traceId);
          const byId = new Map(spans.map((span) => [span.spanId, span]));
          const ancestry = (span: ReceivedSpan): ReceivedSpan[] => {
            const chain = [span];
            for (let at = span; at.parentSpanId !== '';) {
              const parent = byId.get(at.parentSpanId);
              if (parent === undefined) return [];
              chain.push(parent);
              at = parent;
            }
            return chain;
          };
          const process = spans.find(
            (span) => span.service === 'oscar-writer' && span.name === 'process primero.case.changed',
          );
          const upsert = spans.find(
            (span) =>
              span.service === 'oscar-writer' &&
              span.kind === client &&
              String(span.attributes['url.full']).endsWith('/api/v1/organizations/clients/upsert'),
          );
          const whole = spans.every((span) => span === emit || byId.has(span.parentSpanId));
          if (process && upsert && whole) return { emit, spans, process, upsert, ancestry };
        }
        return undefined;
      }, 'the change’s trace from both processes');

      // One unbroken parent chain: upsert → process → amqplib consume → amqplib publish → emit (the root).
      const chain = change.ancestry(change.upsert);
      expect(chain.at(-1)).toBe(change.emit);
      expect(chain).toContain(change.process);
      const publish = chain.find((span) => span.kind === producer);
      const consume = chain.find((span) => span.kind === consumer);
      expect(publish?.service).toBe('primero-poller');
      expect(publish?.attributes['messaging.rabbitmq.routing_key']).toMatch(/^primero\.case\.changed\.\d+$/);
      expect(consume?.service).toBe('oscar-writer');
      expect(chain.indexOf(change.process)).toBeLessThan(chain.indexOf(consume as ReceivedSpan));
      expect(chain.indexOf(consume as ReceivedSpan)).toBeLessThan(chain.indexOf(publish as ReceivedSpan));
      expect(change.spans.filter((span) => span.parentSpanId === '')).toEqual([change.emit]);
      // Every upstream call of the upsert is in it, and the writer's Postgres work (its inbox) too.
      expect(change.process.attributes['sync.case_id']).toBe(primeroCase.caseId);
      const underProcess = change.spans.filter((span) => change.ancestry(span).includes(change.process));
      expect(underProcess.filter((span) => span.kind === client && 'url.full' in span.attributes)).toContain(
        change.upsert,
      );
      expect(underProcess.some((span) => span.attributes['db.system.name'] === 'postgresql')).toBe(true);

      // The poll that read the change is a trace of its own, linked from the emit: its Primero list call
      // is there, without the query string (last_updated_at=…).
      const [link] = change.emit.links;
      const poll = receiver.spans.find((span) => span.spanId === link?.spanId);
      expect(poll?.name).toBe('poll');
      const list = receiver.spans.find(
        (span) =>
          span.traceId === poll?.traceId &&
          span.kind === client &&
          String(span.attributes['url.full']).endsWith('/api/v2/cases'),
      );
      expect(list).toBeDefined();

      // fastify's requests are traced by route (POST /admin/poll started the polls), health probes are not.
      expect(
        receiver.spans.some(
          (span) =>
            span.service === 'primero-poller' && span.name === 'POST /admin/poll' && span.kind === server,
        ),
      ).toBe(true);
      expect(
        receiver.spans.filter((span) => String(span.attributes['url.path']).startsWith('/health')),
      ).toEqual([]);

      // The log lines of the change carry its trace id.
      const emitted = system
        .service('primero-poller')
        .logs()
        .find((line) => line.msg === 'event emitted' && line.subject === `primero:${primeroCase.caseId}`);
      expect(emitted).toMatchObject({ trace_id: change.emit.traceId, span_id: change.emit.spanId });
      const handled = system
        .service('oscar-writer')
        .logs()
        .find((line) => line.msg === 'event handled' && line.caseId === primeroCase.caseId);
      expect(handled?.trace_id).toBe(change.emit.traceId);

      // Ids only, in every span of both services: no name, birth date, location, note or phone number; no
      // query string, SQL parameters or message body.
      expect(receiver.spans.length).toBeGreaterThan(change.spans.length);
      for (const span of receiver.spans) {
        for (const secret of [
          person.name_first,
          person.name_last,
          person.date_of_birth,
          person.location_current,
          notes,
          ownerPhone,
          ownerName,
        ]) {
          expect(span.raw, `span ${span.name} contains "${secret}"`).not.toContain(secret);
        }
        for (const key of ['url.full', 'url.path', 'url.query', 'http.target', 'http.url']) {
          expect(JSON.stringify(span.attributes[key] ?? ''), `${span.name} ${key}`).not.toContain('?');
        }
        expect(Object.keys(span.attributes).filter((key) => /values|body|payload|header/.test(key))).toEqual(
          [],
        );
      }
    });
  },
);

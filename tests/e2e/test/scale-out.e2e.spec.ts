import { setTimeout as sleep } from 'node:timers/promises';

import { management } from '@pos/testkit';
import { describe, expect, it } from 'vitest';

import { asRecord, primeroCasesByOscarNumber } from '../src/scenario.ts';
import { useSystem } from '../src/system.ts';

// Three replicas of each writer against the same partition queues: each replica is the single active
// consumer of its share of the partitions and stands by for the others, so a case's events still apply in
// order — also when the replica that held its partition is killed and another takes over.

const partitions = 6;

describe('scale-out: three replicas of each writer', () => {
  const system = useSystem({
    label: 'e2e_scale',
    env: {
      PARTITIONS: String(partitions),
      WRITER_REPLICAS: '3',
      WRITER_REPLICA_INDEX: '0',
      // The system starts its services one after the other; the replicas start once it is up.
      WRITER_STANDBY_DELAY_MS: '25000',
      PRIMERO_MAX_RPS: '1000',
      OSCAR_MAX_RPS: '1000',
    },
  });

  /** The connection of each partition queue's active consumer (single active consumer). */
  async function activeConsumers(writer: string): Promise<Map<string, string>> {
    const consumers = (await management(
      system.amqpManagementUrl,
      'GET',
      `/api/consumers/${encodeURIComponent(system.vhostName)}`,
    )) as unknown[];
    const active = new Map<string, string>();
    for (const consumer of consumers.map(asRecord)) {
      const queue = text(asRecord(consumer.queue).name);
      if (!queue.startsWith(`${writer}.p`) || consumer.active !== true) continue;
      const channel = asRecord(consumer.channel_details);
      active.set(queue, `${text(channel.peer_host)}:${text(channel.peer_port)}`);
    }
    return active;
  }

  /** The management API refreshes its figures every few seconds: waits for what it checks. */
  async function eventually(check: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error('condition not met in time');
      await sleep(500);
    }
  }

  it('spreads the partitions over the replicas and keeps each case’s last edit, through a take-over', async () => {
    for (const writer of ['primero-writer', 'oscar-writer'] as const) {
      await system.startReplica(writer, 1);
      await system.startReplica(writer, 2);
    }
    for (const writer of ['primero-writer', 'oscar-writer']) {
      await eventually(async () => {
        const active = await activeConsumers(writer);
        return active.size === partitions && new Set(active.values()).size === 3;
      });
    }

    // Twelve NGO clients referred to MoSVY become Primero cases.
    const globalIds: string[] = [];
    for (let i = 0; i < 12; i += 1) {
      const created = await system.oscarControl('POST', '/_control/clients', {
        organization: 'cif',
        given_name: `Scale${i}`,
        family_name: 'Order',
        gender: i % 2 === 0 ? 'female' : 'male',
        date_of_birth: '2013-09-03',
        location_code: '12010203',
        case_worker: { name: 'Dara Kim', mobile: '012345678' },
        refer_to_mosvy: { services: ['Trauma counselling'], reason: 'scale-out', level_of_risk: 'medium' },
      });
      expect(created.status).toBe(201);
      globalIds.push(String(asRecord(created.body).global_id));
    }
    await system.converge(async () => {
      for (const id of globalIds)
        if ((await primeroCasesByOscarNumber(system, id)).length !== 1) return false;
      return true;
    }, 60_000);

    // Rapid successive edits of each case, each polled at once, with one replica killed in the middle.
    const rounds = 6;
    for (let round = 1; round <= rounds; round += 1) {
      for (const id of globalIds) {
        await system.oscarControl('PATCH', `/_control/clients/${id}`, { mosvy_number: `MSV-${round}` });
      }
      await system.poll('oscar-poller');
      if (round === 3) {
        const victim = system.replicas[0];
        victim?.signal('SIGKILL');
        await victim?.exited;
      }
      await sleep(150);
    }
    await system.converge(async () => {
      for (const id of globalIds) {
        const found = await primeroCasesByOscarNumber(system, id);
        if (found.length !== 1 || found[0]?.mosvy_number !== `MSV-${rounds}`) return false;
      }
      return true;
    }, 60_000);

    // The killed replica's partitions went to the survivors: every queue still has an active consumer.
    await eventually(async () => (await activeConsumers('primero-writer')).size === partitions, 40_000);
  });
});

function text(value: unknown): string {
  return typeof value === 'string' || typeof value === 'number' ? String(value) : '';
}

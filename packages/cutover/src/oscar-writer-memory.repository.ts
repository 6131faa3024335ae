import type { OscarWriterDatabase } from '@pos/oscar-writer/state';
import type { Kysely } from 'kysely';

import type { KnownOscarState } from './oscar-writer-memory.ts';
import { decisionKey } from './oscar-writer-memory.ts';

const chunk = 1_000;

/**
 * Writes what OSCaR already has into the oscar-writer's memory (`links`, `decisions_sent`), for rows the
 * writer does not know yet (never over what it recorded itself). `db` is scoped to the `oscar_writer`
 * schema, which the oscar-writer creates when it starts. Returns the rows added.
 */
export async function primeOscarWriter(
  db: Kysely<OscarWriterDatabase>,
  known: KnownOscarState,
): Promise<{ links: number; decisions: number }> {
  const links = [...known.links].map(([globalId, link]) => ({
    global_id: globalId,
    case_id: link.caseId,
    case_id_display: link.caseIdDisplay,
  }));
  const decisions = [...known.decisions].map(([key, status]) => {
    const at = key.lastIndexOf('#');
    return { global_id: key.slice(0, at), referral_id: Number(key.slice(at + 1)), status };
  });
  let addedLinks = 0;
  let addedDecisions = 0;
  for (let i = 0; i < links.length; i += chunk) {
    const result = await db
      .insertInto('links')
      .values(links.slice(i, i + chunk))
      .onConflict((oc) => oc.column('global_id').doNothing())
      .executeTakeFirst();
    addedLinks += Number(result.numInsertedOrUpdatedRows ?? 0);
  }
  for (let i = 0; i < decisions.length; i += chunk) {
    const result = await db
      .insertInto('decisions_sent')
      .values(decisions.slice(i, i + chunk))
      .onConflict((oc) => oc.columns(['global_id', 'referral_id']).doNothing())
      .executeTakeFirst();
    addedDecisions += Number(result.numInsertedOrUpdatedRows ?? 0);
  }
  return { links: addedLinks, decisions: addedDecisions };
}

/**
 * What the oscar-writer remembers OSCaR has (`links`, `decisions_sent`): what the first sync will compare
 * against. Null when its tables do not exist yet (the oscar-writer has never started).
 */
export async function readOscarWriterMemory(
  db: Kysely<OscarWriterDatabase>,
): Promise<KnownOscarState | null> {
  try {
    const links = await db.selectFrom('links').select(['global_id', 'case_id', 'case_id_display']).execute();
    const decisions = await db
      .selectFrom('decisions_sent')
      .select(['global_id', 'referral_id', 'status'])
      .execute();
    const sent = await db.selectFrom('sent_referrals').select(['referral_key', 'state']).execute();
    return {
      links: new Map(
        links.map((l) => [l.global_id, { caseId: l.case_id, caseIdDisplay: l.case_id_display }]),
      ),
      decisions: new Map(decisions.map((d) => [decisionKey(d.global_id, d.referral_id), d.status])),
      sentReferrals: new Map(sent.map((r) => [r.referral_key, r.state])),
    };
  } catch (error) {
    // 42P01 undefined_table: the schema is not there yet.
    if ((error as { code?: unknown }).code === '42P01') return null;
    throw error;
  }
}

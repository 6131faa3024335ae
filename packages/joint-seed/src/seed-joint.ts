import type { MappingTables } from '@pos/mapping';
import { checkValue, primeroOption } from '@pos/mapping';
import type { ReplayCall, ReplayResult } from '@pos/sim-kit';
import { createRng } from '@pos/sim-kit';

import { legacyCaseRecord, legacyDecision, LegacyJobError, legacyReferralUpsert } from './legacy-job.ts';
import type { JointWorldPlan, LeftoverKind, Story, StoryKind } from './plan.ts';
import { planJointWorld, plantedLeftovers, storyCounts } from './plan.ts';
import type { SimTransport } from './transport.ts';

type Json = Record<string, unknown>;

export interface JointSeedOptions {
  readonly primero: SimTransport;
  readonly oscar: SimTransport;
  /** How many children; about 85% become linked pairs. */
  readonly children: number;
  readonly seed: number;
  /** The cut-over instant (ISO): the whole history lies before it. Default: the clock. */
  readonly now?: string;
  /** The mapping tables (config/mappings): NGOs, service names, provinces, statuses. */
  readonly tables: MappingTables;
}

/** One child of the seeded world, by the ids both systems gave it. */
export interface SeededChild {
  readonly index: number;
  readonly kind: StoryKind;
  readonly leftovers: readonly LeftoverKind[];
  readonly organization: string;
  /** Primero record id and `case_id` (absent when the child has no Primero case). */
  readonly primeroRecordId: string | null;
  readonly caseId: string | null;
  /** OSCaR `global_id` (absent when OSCaR has no client). */
  readonly globalId: string | null;
}

export interface JointSeedSummary {
  readonly now: string;
  /** The plan the world was built from (every story, with its leftovers). */
  readonly plan: JointWorldPlan;
  readonly stories: Record<StoryKind, number>;
  /** Primero cases linked to an OSCaR client (ids on at least one side). */
  readonly linkedPairs: number;
  readonly leftovers: Record<LeftoverKind, number>;
  readonly children: readonly SeededChild[];
  /** API calls played back, per simulator. */
  readonly calls: { readonly primero: number; readonly oscar: number };
}

/** Programs NGOs enrol children in, with catalogue services that no referral of the seed uses. */
const programs: readonly (readonly [string, readonly string[]])[] = [
  ['Family Support', ['Family support', 'Family preservation']],
  ['Kinship Care', ['Kinship care']],
  ['Counselling', ['Generalist counselling', 'Family counselling / mediation']],
  ['Education Support', ['School support', 'Life skills']],
];
const programServices = new Set(programs.flatMap(([, names]) => names));
/** Catalogue names listed twice (one uuid, two rows): left out, as they would give one row twice. */
const doubled = new Set(['Therapeutic interventions', 'Therapeutic training']);
const hour = 3_600_000;

interface Child {
  readonly story: Story;
  owner?: string;
  recordId?: string;
  caseId?: string;
  caseIdDisplay?: string;
  rowId?: string;
  primeroCase?: Json;
  referrals?: Json[];
  oscarReferralId?: number;
  globalId?: string;
  /** Catalogue names the NGO referred to MoSVY. */
  referredServices?: string[];
  /** The client as the legacy job last read it from `GET /organizations/clients`. */
  listed?: Json;
}

interface Step {
  readonly call: ReplayCall;
  readonly then?: (result: ReplayResult) => void;
}

/**
 * Seeds one consistent world on both simulators as the legacy job leaves it after years: it plans the
 * children (`planJointWorld`) and plays their history back through each simulator's
 * `POST /_control/replay` — people's acts through the real API or the control API, the legacy job's acts
 * as the job's own requests (`legacy-job.ts`), each at the time it happened. The simulators compute
 * everything else (ids, derived fields, timestamps) as their servers would. Deterministic for
 * `(children, seed, now)` on empty simulators. Seed before the services start: the history lies in the past,
 * and the pollers' first read must see all of it.
 *
 * @example
 * await seedJointWorld({ primero: httpTransport('http://127.0.0.1:4010', 'sim-control'),
 *   oscar: httpTransport('http://127.0.0.1:4020', 'sim-control'), children: 240, seed: 7, tables });
 */
export async function seedJointWorld(options: JointSeedOptions): Promise<JointSeedSummary> {
  const now = options.now ?? new Date().toISOString();
  const { tables } = options;
  const organizations = [...tables.agencies.keys()];
  const plan = planJointWorld({ children: options.children, seed: options.seed, now, organizations });
  const children: Child[] = plan.stories.map((story) => ({ story }));
  const calls = { primero: 0, oscar: 0 };
  const primero = async (steps: Step[]) => {
    calls.primero += steps.length;
    await play(options.primero, steps, 'Primero');
  };
  const oscar = async (steps: Step[]) => {
    calls.oscar += steps.length;
    await play(options.oscar, steps, 'OSCaR');
  };
  const seedOf = callSeeds(plan);
  const subtypes = roundTripSubtypes(tables);
  const referable = tables.serviceCatalogue
    .map((service) => service.serviceName)
    .filter((name) => tables.servicesInbound.has(name) && !programServices.has(name) && !doubled.has(name));
  const uniqueReferable = [...new Set(referable)];

  // Primero's villages (the simulator's location tree), for the cases MoSVY registers.
  let villages: string[] = [];
  await primero([
    {
      call: { method: 'GET', url: '/api/v2/locations?per=100000' },
      then: (result) => {
        villages = rows(asRecord(result.body).data)
          .filter((location) => location.type === 'village')
          .map((location) => String(location.code))
          .sort();
      },
    },
  ]);
  if (villages.length === 0) throw new Error('the Primero simulator lists no villages');

  const mosvy = children.filter((c) => c.story.kind.startsWith('mosvy-'));
  const referredByMosvy = mosvy.filter((c) => c.story.kind !== 'mosvy-only');
  const ngo = children.filter((c) => c.story.kind.startsWith('ngo-'));

  // 1. MoSVY registers its cases and refers services to NGOs (Primero, t0).
  await primero(
    mosvy.flatMap((child): Step[] => {
      const { story } = child;
      const village = villages[story.villagePick % villages.length] ?? '12010203';
      const owner = provinceUser(village, tables);
      child.owner = owner;
      const ids = createRng(seedOf(story, 0));
      child.rowId = uuid(ids);
      const referred = story.kind !== 'mosvy-only';
      const subtype = subtypes[story.pick % subtypes.length] ?? ['counselling', 'counselling_trauma'];
      const row: Json = referred
        ? {
            unique_id: child.rowId,
            service_response_type: primeroOption.referralToOscar,
            service_type: subtype[0],
            service_subtype: [subtype[1]],
            service_response_day_time: iso(story.times.t0),
            service_implementing_agency: `agency-${story.organization}`,
            service_implementing_agency_individual: `agency-${story.organization}-user`,
            // The form's default, except on rows made before it existed (2022-09).
            ...(story.leftovers.includes('decision-missing-in-primero')
              ? {}
              : { referral_status_edf41f2: primeroOption.pending }),
          }
        : {
            unique_id: child.rowId,
            service_response_type: 'care_plan',
            service_type: subtype[0],
            service_subtype: [subtype[1]],
            service_response_day_time: iso(story.times.t0),
          };
      const steps: Step[] = [
        {
          call: {
            at: iso(story.times.t0),
            seed: seedOf(story, 1),
            as: owner,
            method: 'POST',
            url: '/api/v2/cases',
            body: {
              data: {
                module_id: primeroOption.moduleId,
                name_first: story.person.givenName,
                name_last: story.person.familyName,
                sex: story.person.sex,
                date_of_birth: story.person.dateOfBirth,
                age: ageOn(story.person.dateOfBirth, story.times.t0),
                location_current: village,
                risk_level: story.primeroRisk,
                consent_for_services: true,
                disclosure_other_orgs: true,
                ...(story.mosvyNumber === null ? {} : { mosvy_number: story.mosvyNumber }),
                services_section: [row],
              },
            },
          },
          then: (result) => {
            const data = asRecord(asRecord(result.body).data);
            child.recordId = String(data.id);
            child.caseId = String(data.case_id);
            child.caseIdDisplay = String(data.case_id_display);
          },
        },
      ];
      return steps;
    }),
  );
  await primero(
    referredByMosvy.map((child): Step => {
      const { story } = child;
      return {
        call: {
          at: iso(story.times.t0 + 120_000),
          seed: seedOf(story, 2),
          as: child.owner ?? 'mgrpnh',
          method: 'POST',
          url: `/api/v2/cases/${child.recordId ?? ''}/referrals`,
          body: {
            data: {
              transitioned_to: `agency-${story.organization}-user`,
              transitioned_to_agency: `agency-${story.organization}`,
              service_record_id: child.rowId,
              notes: 'Please provide support to this child and the family',
            },
          },
        },
      };
    }),
  );
  // The legacy job reads the cases with their referrals (f1-j1).
  await primero(
    referredByMosvy.flatMap((child): Step[] => [
      {
        call: { at: iso(child.story.times.t1), method: 'GET', url: `/api/v2/cases/${child.recordId ?? ''}` },
        then: (result) => {
          child.primeroCase = asRecord(asRecord(result.body).data);
        },
      },
      {
        call: {
          at: iso(child.story.times.t1),
          method: 'GET',
          url: `/api/v2/cases/${child.recordId ?? ''}/referrals`,
        },
        then: (result) => {
          child.referrals = rows(asRecord(result.body).data);
        },
      },
    ]),
  );

  // 2. OSCaR (t0/t1): the legacy job's upserts of MoSVY's referrals (f1-j2), and the NGOs' own clients.
  const sent = referredByMosvy.filter((c) => c.story.kind !== 'mosvy-referral-lost');
  await oscar(
    sent.flatMap((child): Step[] => {
      const { story } = child;
      const row = rows(child.primeroCase?.services_section)[0] ?? {};
      return [
        {
          call: {
            at: iso(story.times.t1),
            seed: seedOf(story, 3),
            method: 'POST',
            url: '/api/v1/organizations/clients/upsert',
            body: legacyReferralUpsert(child.primeroCase ?? {}, child.referrals ?? [], row, tables),
          },
        },
        {
          call: {
            method: 'GET',
            url: `/_control/referrals?organization=${story.organization}&external_id=${child.caseId ?? ''}`,
          },
          then: (result) => {
            const referral = rows(asRecord(result.body).referrals)[0];
            if (typeof referral?.id !== 'number')
              throw new Error(`OSCaR kept no referral for story ${story.index}`);
            child.oscarReferralId = referral.id;
          },
        },
      ];
    }),
  );
  await oscar(
    ngo.flatMap((child): Step[] => {
      const { story } = child;
      const referred = story.kind === 'ngo-referral' || story.kind === 'ngo-referral-stung-treng';
      const first = uniqueReferable[story.pick % uniqueReferable.length] ?? 'Trauma counselling';
      const second = uniqueReferable[(story.pick >> 8) % uniqueReferable.length] ?? first;
      child.referredServices = story.pick % 5 === 0 && second !== first ? [first, second] : [first];
      const steps: Step[] = [
        {
          call: {
            at: iso(story.times.t0),
            seed: seedOf(story, 4),
            method: 'POST',
            url: '/_control/clients',
            body: {
              organization: story.organization,
              given_name: story.person.givenName,
              family_name: story.person.familyName,
              local_given_name: story.person.localGivenName,
              local_family_name: story.person.localFamilyName,
              gender: story.person.sex,
              date_of_birth: story.kind === 'ngo-client-unlisted' ? null : story.person.dateOfBirth,
              location_code: story.oscarVillage,
              status: 'Accepted',
              case_worker: story.caseWorker,
              ...(referred
                ? {
                    refer_to_mosvy: {
                      services: child.referredServices,
                      reason: 'Family needs support to care for the child',
                      level_of_risk: story.oscarRisk,
                    },
                  }
                : {}),
            },
          },
          then: (result) => {
            child.globalId = String(asRecord(result.body).global_id);
          },
        },
      ];
      return steps;
    }),
  );
  // NGOs enrol some clients in programs before the legacy job first reads them.
  await oscar(
    ngo
      .filter((c) => c.story.enrolment?.when === 'before-import')
      .map((child): Step => enrolment(child, child.story.times.t0 + 3 * hour, seedOf(child.story, 5))),
  );

  // 3. The NGOs decide MoSVY's referrals (OSCaR, t2).
  await oscar(
    sent
      .filter((c) => c.story.decision !== null)
      .map((child): Step => {
        const { story } = child;
        const verb = story.decision === 'accepted' ? 'accept' : 'reject';
        return {
          call: {
            at: iso(story.times.t2),
            seed: seedOf(story, 6),
            method: 'POST',
            url: `/_control/referrals/${String(child.oscarReferralId)}/${verb}?organization=${story.organization}`,
            body: { case_worker: story.caseWorker },
          },
          then: (result) => {
            child.globalId = String(asRecord(asRecord(result.body).client).global_id);
          },
        };
      }),
  );

  // 4. The legacy job's Flow 2 reads every shared client (f2-j1) …
  await readListing(options.oscar, children, calls);

  // … decides MoSVY's referrals in Primero (f2-j2 decisions, t3) …
  const decided = sent.filter((c) => c.story.decision !== null);
  await primero(decided.flatMap((child) => legacyDecisionSteps(child, tables, seedOf, child.story.times.t3)));

  // … and creates the cases of the NGOs' clients (f2-j3, t1): a Stung Treng referral throws (bug 4).
  const imported = ngo.filter((c) => c.listed !== undefined);
  const creates: Step[] = [];
  for (const child of imported) {
    const { story } = child;
    let record: Json;
    try {
      record = legacyCaseRecord(child.listed ?? {}, tables, new Date(story.times.t1));
    } catch (error) {
      if (error instanceof LegacyJobError) continue;
      throw error;
    }
    record.services_section = rows(record.services_section).filter(
      (row) => row.service_response_type !== primeroOption.referralToOscar,
    );
    creates.push({
      call: {
        at: iso(story.times.t1),
        seed: seedOf(story, 7),
        method: 'POST',
        url: '/api/v2/cases',
        body: { data: record },
      },
      then: (result) => {
        const data = asRecord(asRecord(result.body).data);
        child.recordId = String(data.id);
        child.caseId = String(data.case_id);
        child.caseIdDisplay = String(data.case_id_display);
        child.primeroCase = data;
        child.owner = typeof data.owned_by === 'string' ? data.owned_by : 'mgrpnh';
      },
    });
  }
  await primero(creates);
  // The Pending pass (f2-j3) over the cases it reached: every blank row, whatever its type (bug 24).
  await primero(
    imported
      .filter((c) => c.story.pendingPass && c.recordId !== undefined)
      .flatMap((child): Step[] => {
        const blank = rows(child.primeroCase?.services_section).filter(
          (row) => !row.referral_status_edf41f2 || row.referral_status_edf41f2 === primeroOption.pending,
        );
        if (blank.length === 0) return [];
        return [
          {
            call: {
              at: iso(child.story.times.t1 + 600_000),
              method: 'PATCH',
              url: `/api/v2/cases/${child.recordId ?? ''}`,
              body: {
                data: {
                  module_id: primeroOption.moduleId,
                  services_section: blank.map((row) => ({
                    unique_id: row.unique_id,
                    referral_status_edf41f2: primeroOption.pending,
                  })),
                },
              },
            },
          },
        ];
      }),
  );

  // 5. The next hour's Flow 1 sends the new cases' Primero ids to OSCaR (update_links) — unless it failed.
  const created = imported.filter((c) => c.recordId !== undefined);
  await oscar(
    created
      .filter((c) => !c.story.leftovers.includes('link-missing-in-oscar'))
      .map((child): Step => ({
        call: {
          at: iso(child.story.times.t1 + hour),
          method: 'PUT',
          url: '/api/v1/organizations/clients/update_links',
          body: {
            data: [
              {
                external_id: child.caseId,
                external_id_display: child.caseIdDisplay,
                global_id: child.globalId,
                is_referred: false,
              },
            ],
          },
        },
      })),
  );

  // 6. MoSVY decides the NGOs' referrals in Primero (t2); Flow 1 sends the decisions (t3), unless it failed.
  const mosvyDecides = created.filter((c) => c.story.kind === 'ngo-referral' && c.story.decision !== null);
  await primero(
    mosvyDecides.map((child): Step => {
      const status = child.story.decision === 'accepted' ? primeroOption.accepted : primeroOption.rejected;
      return {
        call: {
          at: iso(child.story.times.t2),
          as: child.owner ?? 'mgrpnh',
          method: 'PATCH',
          url: `/api/v2/cases/${child.recordId ?? ''}`,
          body: {
            data: {
              services_section: rows(child.primeroCase?.services_section)
                .filter((row) => row.service_response_type === primeroOption.referralFromOscar)
                .map((row) => ({ unique_id: row.unique_id, referral_status_edf41f2: status })),
            },
          },
        },
      };
    }),
  );
  await oscar(
    mosvyDecides
      .filter((c) => !c.story.leftovers.includes('decision-missing-in-oscar'))
      .flatMap((child): Step[] =>
        [
          ...new Set(
            rows(child.listed?.services).flatMap((service) =>
              typeof service.referral_id === 'number' ? [service.referral_id] : [],
            ),
          ),
        ].map((referralId) => ({
          call: {
            at: iso(child.story.times.t3),
            method: 'PUT',
            url: '/api/v1/organizations/referrals/update_statuses',
            body: {
              data: [
                {
                  external_id: child.caseId,
                  external_id_display: child.caseIdDisplay,
                  client_global_id: child.globalId,
                  referral_status: child.story.decision === 'accepted' ? 'Accepted' : 'Exited',
                  referral_id: referralId,
                },
              ],
            },
          },
        })),
      ),
  );

  // 7. Later (t4): repeat referrals for the same service, enrolments of linked children, other changes.
  await oscar(
    children.flatMap((child): Step[] => {
      const { story } = child;
      const gid = encodeURIComponent(child.globalId ?? '');
      const at = story.times.t4;
      if (story.leftovers.includes('collapsed-referral-row') && child.recordId !== undefined)
        return [
          {
            call: {
              at: iso(at),
              seed: seedOf(story, 8),
              method: 'POST',
              url: `/_control/clients/${gid}/referrals?organization=${story.organization}`,
              body: {
                services: child.referredServices?.slice(0, 1),
                reason: 'Referred again: the family moved',
                level_of_risk: story.oscarRisk,
              },
            },
          },
        ];
      if (story.enrolment?.when === 'after-link' && child.globalId !== undefined)
        return [enrolment(child, at, seedOf(story, 9))];
      if (story.laterChange === 'exit')
        return [
          {
            call: {
              at: iso(at),
              method: 'POST',
              url: `/_control/clients/${gid}/exit?organization=${story.organization}`,
              body: { reason: 'Reintegrated with the family' },
            },
          },
        ];
      if (story.laterChange === 'mosvy-number')
        return [
          {
            call: {
              at: iso(at),
              method: 'PATCH',
              url: `/_control/clients/${gid}?organization=${story.organization}`,
              body: { mosvy_number: `MSV-${String(story.pick % 100_000).padStart(5, '0')}` },
            },
          },
        ];
      return [];
    }),
  );

  // 8. Flow 2 again (t5): a repeat referral merges onto the row of the first (bug 26); a linked child's
  //    new status comes through the decision path; other changes to linked clients do not (bug 3).
  await readListing(options.oscar, children, calls);
  await primero(
    children.flatMap((child): Step[] => {
      const { story } = child;
      if (story.leftovers.includes('collapsed-referral-row') && child.recordId !== undefined) {
        const record = legacyCaseRecord(child.listed ?? {}, tables, new Date(story.times.t5));
        record.services_section = rows(record.services_section).filter(
          (row) => row.service_response_type !== primeroOption.referralToOscar,
        );
        return [
          {
            call: {
              at: iso(story.times.t5),
              method: 'PATCH',
              url: `/api/v2/cases/${child.recordId}`,
              body: { data: record },
            },
          },
        ];
      }
      if (story.enrolment?.when === 'after-link' && child.primeroCase !== undefined)
        return legacyDecisionSteps(child, tables, seedOf, story.times.t5);
      return [];
    }),
  );

  const seeded: SeededChild[] = children.map((child) => ({
    index: child.story.index,
    kind: child.story.kind,
    leftovers: child.story.leftovers,
    organization: child.story.organization,
    primeroRecordId: child.recordId ?? null,
    caseId: child.caseId ?? null,
    globalId: child.globalId ?? null,
  }));
  return {
    now: plan.now,
    plan,
    stories: storyCounts(plan),
    linkedPairs: seeded.filter((c) => c.primeroRecordId !== null && c.globalId !== null).length,
    leftovers: plantedLeftovers(plan),
    children: seeded,
    calls,
  };
}

/** f2-j2's decision path for one Primero-originated client: referral PATCHes, then the case upsert. */
function legacyDecisionSteps(
  child: Child,
  tables: MappingTables,
  seedOf: (story: Story, n: number) => number,
  at: number,
): Step[] {
  const listed = child.listed;
  const primeroCase = child.primeroCase;
  if (listed === undefined || primeroCase === undefined || child.recordId === undefined) return [];
  const decision = legacyDecision(listed, primeroCase, child.referrals ?? [], tables);
  if (decision.rows.length === 0) return [];
  const { services_section: _rows, ...record } = legacyCaseRecord(listed, tables, new Date(at));
  const recordId = child.recordId;
  const steps: Step[] = decision.referralPatches.map((patch) => ({
    call: {
      at: iso(at),
      method: 'PATCH',
      url: `/api/v2/cases/${recordId}/referrals/${patch.id}`,
      body: { data: { status: patch.status, id: patch.id, type: 'Referral', record_id: recordId } },
    },
  }));
  steps.push({
    call: {
      at: iso(at + 1_000),
      seed: seedOf(child.story, 10),
      method: 'PATCH',
      url: `/api/v2/cases/${recordId}`,
      body: { data: { ...record, services_section: decision.rows } },
    },
    then: (result) => {
      child.primeroCase = { ...primeroCase, ...asRecord(asRecord(result.body).data) };
      child.referrals = (child.referrals ?? []).map((referral) => {
        const patch = decision.referralPatches.find((p) => p.id === String(referral.id));
        return patch === undefined ? referral : { ...referral, status: patch.status };
      });
    },
  });
  return steps;
}

function enrolment(child: Child, at: number, seed: number): Step {
  const [programName, services] = programs[(child.story.enrolment?.program ?? 0) % programs.length] ?? [
    'Family Support',
    ['Family support'],
  ];
  return {
    call: {
      at: iso(at),
      seed,
      method: 'POST',
      url: `/_control/clients/${encodeURIComponent(child.globalId ?? '')}/enrollments?organization=${child.story.organization}`,
      body: { program_name: programName, services },
    },
  };
}

/** `GET /api/v1/organizations/clients` as the legacy job read it (no `since_date`: everything). */
async function readListing(
  transport: SimTransport,
  children: Child[],
  calls: { primero: number; oscar: number },
): Promise<void> {
  calls.oscar += 1;
  const [result] = await transport.replay([{ method: 'GET', url: '/api/v1/organizations/clients' }]);
  const listed = asRecord(result?.body).data;
  if (result === undefined || result.status !== 200 || !Array.isArray(listed))
    throw new Error(`OSCaR's client list answered ${String(result?.status)}`);
  const byGlobalId = new Map(rows(listed).map((client) => [String(client.global_id), client]));
  for (const child of children) {
    if (child.globalId === undefined) continue;
    const listed = byGlobalId.get(child.globalId);
    if (listed) child.listed = listed;
  }
}

async function play(transport: SimTransport, steps: Step[], system: string): Promise<void> {
  if (steps.length === 0) return;
  const results = await transport.replay(steps.map((step) => step.call));
  steps.forEach((step, index) => {
    const result = results[index];
    if (result === undefined || result.status >= 400) {
      throw new Error(
        `${system} refused ${step.call.method} ${step.call.url.split('?')[0] ?? ''} while seeding: ${String(result?.status)} ${JSON.stringify(result?.body).slice(0, 300)}`,
      );
    }
    step.then?.(result);
  });
}

/**
 * Seeds for the ids each call makes up: distinct for every (story, call) of a plan, so no two records
 * share an id, and the same for the same plan.
 */
function callSeeds(plan: JointWorldPlan): (story: Story, n: number) => number {
  const base = Math.imul(plan.seed | 0, 0x9e3779b1);
  return (story, n) => ((story.index * 64 + n) ^ base) >>> 0;
}

/** Primero subtypes whose OSCaR name comes back as the same subtype, with their service type. */
function roundTripSubtypes(tables: MappingTables): (readonly [string, string])[] {
  const out: (readonly [string, string])[] = [];
  for (const [subtype, name] of tables.servicesOutbound) {
    const back = tables.servicesInbound.get(name);
    if (back?.primeroSubtype === subtype && !doubled.has(name) && !programServices.has(name))
      out.push([back.primeroServiceType, subtype]);
  }
  return out;
}

function provinceUser(village: string, tables: MappingTables): string {
  return tables.provinces.get(checkValue(village).slice(0, 2))?.primeroUser ?? 'mgrpnh';
}

function ageOn(dateOfBirth: string, at: number): number {
  const today = new Date(at);
  const [y = 0, m = 1, d = 1] = dateOfBirth.split('-').map(Number);
  let age = today.getUTCFullYear() - y;
  if (today.getUTCMonth() + 1 < m || (today.getUTCMonth() + 1 === m && today.getUTCDate() < d)) age -= 1;
  return Math.max(age, 0);
}

function uuid(rng: ReturnType<typeof createRng>): string {
  const hex = Array.from({ length: 32 }, () => rng.int(0, 15).toString(16));
  hex[12] = '4';
  hex[16] = ((rng.int(0, 15) & 0x3) | 0x8).toString(16);
  const s = hex.join('');
  return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20)}`;
}

const iso = (ms: number) => new Date(ms).toISOString();
const asRecord = (value: unknown): Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : {};
const rows = (value: unknown): Json[] => (Array.isArray(value) ? value.map(asRecord) : []);

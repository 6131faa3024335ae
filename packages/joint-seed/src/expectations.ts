import type { JointWorldPlan, LeftoverKind, Story } from './plan.ts';

/**
 * What the first sync of this project should write over a seeded world: the requests by route and the
 * changes by kind (the cut-over report's names), derived from the leftovers the plan planted and nothing
 * else — every other record is already as the sync would have it. The end-to-end cut-over test holds the
 * report and the services to these figures.
 */
export interface ExpectedFirstSync {
  readonly requests: {
    readonly primero: Readonly<Record<string, number>>;
    readonly oscar: Readonly<Record<string, number>>;
  };
  readonly changes: Readonly<Record<string, number>>;
  /** In-progress MoSVY referrals from before the cut-over, which the sync must not send. */
  readonly referralsBeforeCutover: number;
}

export function expectedFirstSync(plan: JointWorldPlan): ExpectedFirstSync {
  const count = (test: (story: Story) => boolean) => plan.stories.filter(test).length;
  const has = (kind: LeftoverKind) => (story: Story) => story.leftovers.includes(kind);
  const stungTreng = count(has('case-missing-stung-treng'));
  const decisionMissing = count(has('decision-missing-in-primero'));
  const exits = count((s) => s.laterChange === 'exit' && s.leftovers.includes('client-change-not-carried'));
  const caseFixes: LeftoverKind[] = [
    'risk-level-lost',
    'enrolment-rows-missing',
    'pending-status-missing',
    'collapsed-referral-row',
    'client-change-not-carried',
  ];
  const changes: Record<string, number> = {
    'case-created': stungTreng,
    'risk-level-written': count(has('risk-level-lost')),
    'enrolment-rows-added': count(has('enrolment-rows-missing')),
    'referral-rows-added': count(has('collapsed-referral-row')),
    'row-status-filled': count(has('pending-status-missing')),
    'ids-written': decisionMissing,
    'oscar-status-written': decisionMissing + exits,
    'mosvy-number-written': count(
      (s) => s.laterChange === 'mosvy-number' && s.leftovers.includes('client-change-not-carried'),
    ),
    // The referral record's PATCH and the service row's, for each decision that never reached Primero.
    'decision-to-primero': 2 * decisionMissing,
    'link-to-oscar': count(has('link-missing-in-oscar')) + stungTreng,
    'decision-to-oscar': count(has('decision-missing-in-oscar')),
  };
  return {
    requests: {
      primero: {
        'POST /api/v2/cases': stungTreng,
        // One PATCH per case with something to fix; a missed decision takes two (the ids, then the row).
        'PATCH /api/v2/cases/:id':
          count((s) => caseFixes.some((kind) => s.leftovers.includes(kind))) + 2 * decisionMissing,
        'PATCH /api/v2/cases/:id/referrals/:referralId': decisionMissing,
      },
      oscar: {
        'PUT /api/v1/organizations/clients/update_links': changes['link-to-oscar'] ?? 0,
        'PUT /api/v1/organizations/referrals/update_statuses': changes['decision-to-oscar'] ?? 0,
      },
    },
    changes: Object.fromEntries(Object.entries(changes).filter(([, n]) => n > 0)),
    referralsBeforeCutover: count(
      (s) => s.kind === 'mosvy-referral-pending' || s.kind === 'mosvy-referral-lost',
    ),
  };
}

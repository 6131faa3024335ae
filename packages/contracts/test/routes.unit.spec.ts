import { describe, expectTypeOf, it } from 'vitest';

import type { CaseChanged, ReferralDecision, Routes, RoutingKey } from '../src/index.ts';
import { parseEvent } from '../src/index.ts';

describe('routing registry types', () => {
  it('maps every routing key to its payload type', () => {
    expectTypeOf<Routes['primero.case.changed']>().toEqualTypeOf<CaseChanged>();
    expectTypeOf<Routes['oscar.case.changed']>().toEqualTypeOf<CaseChanged>();
    expectTypeOf<Routes['primero.referral.decided']>().toEqualTypeOf<ReferralDecision>();
    expectTypeOf<Routes['oscar.referral.decided']>().toEqualTypeOf<ReferralDecision>();
  });

  it('has exactly the four routing keys', () => {
    expectTypeOf<RoutingKey>().toEqualTypeOf<
      'primero.case.changed' | 'primero.referral.decided' | 'oscar.case.changed' | 'oscar.referral.decided'
    >();
  });

  it('narrows the parsed event to the payload type of its key', () => {
    const result = parseEvent('oscar.referral.decided', {});
    if (result.ok) expectTypeOf(result.event).toEqualTypeOf<ReferralDecision>();
  });

  it('lets a typed publisher refuse a payload of the wrong type', () => {
    const publish = <K extends RoutingKey>(_key: K, _event: Routes[K]) => undefined;
    expectTypeOf(publish<'oscar.case.changed'>)
      .parameter(1)
      .toEqualTypeOf<CaseChanged>();
    expectTypeOf(publish<'oscar.case.changed'>)
      .parameter(1)
      .not.toEqualTypeOf<ReferralDecision>();
  });
});

import type { FastifyInstance } from 'fastify';

import type { Client } from '../core/model.ts';
import { RailsCrash } from '../core/rails-crash.ts';
import { isPresent, isRecord } from '../core/rails-params.ts';
import { internalTenants } from '../state/organizations.ts';
import type { Store } from '../state/store.ts';
import { recordError } from '../state/upsert.ts';

const assets = 'https://oscar-web-assets-production.s3.amazonaws.com/uploads/organization/logo';

/** GET /api/v1/organizations and the vestigial endpoints of docs/upstream/oscar.md §2.5–§2.6. None needs a token. */
export function registerOrganizationRoutes(app: FastifyInstance, store: Store): void {
  app.get('/api/v1/organizations', async () => ({
    organizations: [...store.organizations]
      .filter((organization) => !internalTenants.has(organization.shortName))
      .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime())
      .map((organization) => ({
        id: organization.id,
        full_name: organization.fullName,
        short_name: organization.shortName,
        logo: {
          url: `${assets}/${organization.id}/logo.png`,
          thumb: { url: `${assets}/${organization.id}/thumb_logo.png` },
          photo: { url: `${assets}/${organization.id}/photo_logo.png` },
        },
        country: organization.country,
        demo: organization.demo,
      })),
  }));

  app.get('/api/v1/organizations/clients/check_duplication', async (request) => {
    const query = isRecord(request.query) ? request.query : {};
    const fields = duplicationFields.filter(([param]) => isPresent(query[param]));
    if (fields.length === 0) throw new RailsCrash('ActionView::MissingTemplate: check_duplication');
    const found = anyClient(store, (client) => {
      const matches = fields.filter(([param, read]) => sameText(read(client), query[param])).length;
      return matches / fields.length >= 0.75;
    });
    return { similar_fields: found ? 'Record was Found' : 'Record was not found' };
  });

  app.get('/api/v1/organizations/transactions/:tx_id', async (_request, reply) =>
    reply.code(500).send({ message: recordError }),
  );
}

/** The fields check_duplication compares; a plain equality score stands in for OSCaR's fuzzy match. */
const duplicationFields: readonly [string, (client: Client) => string | null][] = [
  ['given_name', (client) => client.givenName],
  ['family_name', (client) => client.familyName],
  ['local_given_name', (client) => client.localGivenName],
  ['local_family_name', (client) => client.localFamilyName],
  ['date_of_birth', (client) => client.dateOfBirth],
  ['address_current_village_code', (client) => client.address?.code ?? null],
];

function sameText(stored: string | null, sent: unknown): boolean {
  return (
    stored !== null && typeof sent === 'string' && stored.trim().toLowerCase() === sent.trim().toLowerCase()
  );
}

function anyClient(store: Store, predicate: (client: Client) => boolean): boolean {
  for (const tenant of store.tenants.values()) {
    for (const client of tenant.clients.values()) {
      if (client.deletedAt === null && predicate(client)) return true;
    }
  }
  return false;
}

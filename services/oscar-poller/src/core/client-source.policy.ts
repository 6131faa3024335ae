import { MappingError, quoteCode } from '@pos/mapping';

/** The NGO client the sync follows for one OSCaR global_id: the first one it mapped. */
export interface ClientSource {
  globalId: string;
  /** OSCaR `organization_name` of the NGO that lists the client ('' when it has none). */
  organization: string;
  slug: string | null;
}

/**
 * Whether a mapped client may be followed: one global_id is one Primero case, so when a second NGO lists a
 * client with a global_id the sync already follows from another NGO (OSCaR links a global identity to each
 * NGO that holds the child), the two records would overwrite each other's data, owner and services in that
 * one case on every change. The first NGO's client is followed; another NGO's is refused. Returns the
 * client followed, or null when this one may be (none yet, or the same NGO's).
 *
 * @example sourceConflict(new Map([[g, cifClient]]), { globalId: g, organization: 'mho', slug }) // cifClient
 */
export function sourceConflict(
  sources: ReadonlyMap<string, ClientSource>,
  source: ClientSource,
): ClientSource | null {
  const held = sources.get(source.globalId);
  return held !== undefined && held.organization !== source.organization ? held : null;
}

/** The id a refused duplicate is recorded under: its global_id and NGO (the followed one has the bare id). */
export function duplicateSourceId(source: ClientSource): string {
  return `${source.globalId}@${source.organization}`;
}

/** The dead-letter reason for a duplicate: the global_id, both NGOs and slugs (ids and codes only), the fix. */
export function duplicateClientError(source: ClientSource, held: ClientSource): MappingError {
  const slug = (s: ClientSource) => (s.slug === null ? '' : ` (slug ${s.slug})`);
  return new MappingError({
    code: 'IDENTITY_CONFLICT',
    recordKind: 'OSCaR client',
    recordId: source.globalId,
    field: 'global_id',
    detail:
      `NGO ${quoteCode(source.organization)} lists a client with this global_id${slug(source)}, but the sync ` +
      `already follows NGO ${quoteCode(held.organization)}'s${slug(held)} — one Primero case cannot follow two NGOs' ` +
      'records; ask the NGOs which is the child’s and correct the other in OSCaR (to follow this one instead, ' +
      'delete the global_id’s row from client_sources, then replay this dead letter)',
  });
}

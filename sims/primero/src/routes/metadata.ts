import type { FastifyInstance } from 'fastify';

import type { JsonObject } from '../core/json.ts';
import { lookups } from '../data/lookups.ts';
import type { FieldDefinition, FormDefinition } from '../fields.ts';
import { caseForms } from '../fields.ts';
import { pageParams } from '../http/pagination.ts';
import type { SimContext } from '../sim-context.ts';
import { authenticated, queryParams } from '../sim-context.ts';

/** Configuration the adaptor can read: lookups and locations (paginated), forms (not), and the public info. */
export function registerMetadataRoutes(app: FastifyInstance, ctx: SimContext): void {
  app.get(
    '/api/v2/lookups',
    authenticated(ctx, async (request) => {
      const { page, per } = pageParams(queryParams(request), ctx.perPageCap);
      const start = Math.max(page - 1, 0) * Math.max(per, 0);
      return {
        data: lookups.slice(start, start + Math.max(per, 0)).map((lookup) => ({
          id: lookup.id,
          unique_id: lookup.uniqueId,
          name: { en: lookup.name, km: '' },
          locked: lookup.locked,
          values: lookup.values.map((value) => ({ id: value.id, display_text: { en: value.name, km: '' } })),
        })),
        metadata: { total: lookups.length, per, page },
      };
    }),
  );

  app.get(
    '/api/v2/locations',
    authenticated(ctx, async (request) => {
      const params = queryParams(request);
      const { page, per } = pageParams(params, ctx.perPageCap);
      const withHierarchy = params.hierarchy === 'true';
      const all = ctx.directory.locations;
      const start = Math.max(page - 1, 0) * Math.max(per, 0);
      return {
        data: all.slice(start, start + Math.max(per, 0)).map((location) => {
          const out: JsonObject = {
            id: location.id,
            code: location.code,
            type: location.type,
            disabled: false,
            name: { en: location.name, km: '' },
          };
          if (withHierarchy) {
            out.admin_level = location.adminLevel;
            out.placename = { en: location.placename, km: '' };
            out.hierarchy = [...location.hierarchy];
          }
          return out;
        }),
        metadata: { total: all.length, per, page },
      };
    }),
  );

  app.get(
    '/api/v2/forms',
    authenticated(ctx, async () => {
      const nested: FormDefinition[] = caseForms.flatMap((form) =>
        form.fields
          .filter((field) => field.subform !== undefined)
          .map((field) => ({
            uniqueId: field.name,
            name: field.displayName,
            order: 0,
            formGroupId: form.formGroupId,
            isNested: true,
            fields: field.subform ?? [],
          })),
      );
      return { data: [...caseForms, ...nested].map((form, index) => renderForm(form, index + 1)) };
    }),
  );

  app.get('/api/v2/primero', async () => ({
    data: {
      sandbox_ui: false,
      config_ui: 'full',
      locales: ['en', 'km'],
      agencies: [],
      agencies_logo_options: [],
    },
  }));
}

function renderForm(form: FormDefinition, id: number): JsonObject {
  return {
    id,
    unique_id: form.uniqueId,
    name: { en: form.name },
    description: { en: form.name },
    parent_form: 'case',
    visible: !form.isNested,
    is_nested: form.isNested,
    order: form.order,
    order_form_group: form.order,
    form_group_id: form.formGroupId,
    editable: true,
    module_ids: ['primeromodule-cp'],
    collapsed_field_names: [],
    fields: form.fields.map((field, index) => renderField(field, index + 1)),
  };
}

function renderField(field: FieldDefinition, id: number): JsonObject {
  const lookup = field.optionStringsSource?.startsWith('lookup ')
    ? lookups.find((l) => `lookup ${l.uniqueId}` === field.optionStringsSource)
    : undefined;
  return {
    id,
    name: field.name,
    type: field.type,
    display_name: { en: field.displayName },
    option_strings_source: field.optionStringsSource ?? null,
    option_strings_text:
      lookup === undefined ? {} : { en: lookup.values.map((v) => ({ id: v.id, display_text: v.name })) },
    multi_select: field.multiSelect ?? false,
    date_include_time: field.dateIncludeTime ?? false,
    subform_section_id: field.subform === undefined ? null : field.name,
    visible: true,
    editable: true,
    disabled: false,
  };
}

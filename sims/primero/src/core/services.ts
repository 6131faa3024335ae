import type { JsonObject, JsonValue } from './json.ts';
import { isJsonObject } from './json.ts';
import { isPresent } from './present.ts';

/**
 * Server-computed service and workflow fields (Serviceable and Workflow concerns, v2.5.7).
 */

export const serviceImplemented = 'implemented';
export const serviceNotImplemented = 'not_implemented';

/** The `services_section` rows of a record (only the object rows). */
export function serviceRows(data: JsonObject): JsonObject[] {
  const rows = data.services_section;
  return Array.isArray(rows) ? rows.filter(isJsonObject) : [];
}

/**
 * Serviceable#update_implement_field: a row with `service_implemented_day_time` becomes `implemented`;
 * a row with a `service_type` and no implemented time becomes `not_implemented`. Mutates the rows.
 */
export function updateImplementField(data: JsonObject): void {
  for (const row of serviceRows(data)) {
    if (isPresent(row.service_implemented_day_time) && row.service_implemented !== serviceImplemented) {
      row.service_implemented = serviceImplemented;
    } else if (isPresent(row.service_type) && !isPresent(row.service_implemented_day_time)) {
      row.service_implemented = serviceNotImplemented;
    }
  }
}

/**
 * Serviceable#most_recent_service: among rows with a response type and the given implemented status,
 * the one with the latest `service_response_day_time` (missing counts as the earliest; ties keep the first).
 */
export function mostRecentService(data: JsonObject, status = serviceNotImplemented): JsonObject | undefined {
  let best: JsonObject | undefined;
  let bestTime = Number.NEGATIVE_INFINITY;
  for (const row of serviceRows(data)) {
    if (!isPresent(row.service_response_type) || row.service_implemented !== status) continue;
    const time = timeOf(row.service_response_day_time);
    if (best === undefined || time > bestTime) {
      best = row;
      bestTime = time;
    }
  }
  return best;
}

function timeOf(value: JsonValue | undefined): number {
  if (typeof value !== 'string') return Number.NEGATIVE_INFINITY;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? Number.NEGATIVE_INFINITY : ms;
}

export interface WorkflowInput {
  readonly data: JsonObject;
  /** Top-level keys whose value differs from the stored record. */
  readonly changed: ReadonlySet<string>;
  /** PrimeroModule#use_workflow_service_implemented (true for primeromodule-cp). */
  readonly useWorkflowServiceImplemented: boolean;
}

/**
 * Workflow#calculate_workflow: open cases get `reopened`, `services_implemented` (all services
 * implemented), or the response type of the most recent not-implemented service when `services_section`
 * changed; closed cases get `closed`; otherwise the workflow is kept. New records default to `new`.
 */
export function calculateWorkflow(input: WorkflowInput): JsonValue | undefined {
  const { data, changed } = input;
  if (data.status === 'open') {
    const reopened =
      (changed.has('case_status_reopened') || changed.has('status')) && isTruthy(data.case_status_reopened);
    if (reopened) return 'reopened';
    const rows = serviceRows(data);
    const servicesChanged = changed.has('services_section');
    if (
      servicesChanged &&
      rows.length > 0 &&
      rows.every((row) => row.service_implemented === serviceImplemented) &&
      input.useWorkflowServiceImplemented
    ) {
      return 'services_implemented';
    }
    if (servicesChanged && isPresent(data.services_section)) {
      const recent = mostRecentService(data);
      if (recent !== undefined) return recent.service_response_type;
    }
    return data.workflow;
  }
  if (data.status === 'closed') return 'closed';
  return data.workflow;
}

function isTruthy(value: JsonValue | undefined): boolean {
  return value !== undefined && value !== null && value !== false;
}

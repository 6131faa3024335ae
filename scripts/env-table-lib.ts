import { envSpec as consoleService } from '@pos/console/config';
import { envSpec as oscarPoller } from '@pos/oscar-poller/config';
import { envSpec as oscarWriter } from '@pos/oscar-writer/config';
import { envSpec as primeroPoller } from '@pos/primero-poller/config';
import { envSpec as primeroWriter } from '@pos/primero-writer/config';
import type { EnvSpec } from '@pos/runtime';
import { format } from 'prettier';

export const serviceSpecs: Record<string, EnvSpec> = {
  'primero-poller': primeroPoller,
  'oscar-poller': oscarPoller,
  'primero-writer': primeroWriter,
  'oscar-writer': oscarWriter,
  console: consoleService,
};

/** One row per variable, listing the services that read it; defaults that differ per service are listed per service. */
export async function renderEnvTable(specs: Record<string, EnvSpec> = serviceSpecs): Promise<string> {
  const rows = new Map<
    string,
    { services: string[]; defaults: Map<string, string>; description: string; secret: boolean }
  >();
  for (const [service, spec] of Object.entries(specs)) {
    for (const [name, variable] of Object.entries(spec)) {
      const row = rows.get(name) ?? {
        services: [] as string[],
        defaults: new Map<string, string>(),
        description: variable.description,
        secret: false,
      };
      row.services.push(service);
      if (variable.default !== undefined) row.defaults.set(service, variable.default);
      row.secret ||= variable.secret === true;
      rows.set(name, row);
    }
  }
  const all = Object.keys(specs).length;
  const lines = ['| variable | services | default | meaning |', '|---|---|---|---|'];
  for (const [name, row] of rows) {
    const distinct = new Set(row.defaults.values());
    const defaultText =
      row.defaults.size === 0
        ? '(required)'
        : distinct.size === 1 && row.defaults.size === row.services.length
          ? showDefault([...distinct][0] ?? '')
          : [...row.defaults].map(([service, value]) => `${service}: ${showDefault(value)}`).join('<br>');
    const services = row.services.length === all ? 'all' : row.services.join(', ');
    lines.push(
      `| \`${name}\` | ${services} | ${defaultText} | ${row.description}${row.secret ? ' (secret)' : ''} |`,
    );
  }
  // Formatted as prettier formats README.md, so the embedded copy can be compared byte for byte.
  return (await format(lines.join('\n'), { parser: 'markdown', printWidth: 110 })).trimEnd();
}

function showDefault(value: string): string {
  return value === '' ? '(empty)' : `\`${value}\``;
}

import { isRecord } from './rails-params.ts';

/**
 * Rack's nested form decoding, enough for `application/x-www-form-urlencoded` bodies Rails accepts:
 * `a=1`, `a[b]=2`, `a[]=3`, `a[][b]=4`.
 *
 * @example parseNestedForm('organization[organization_name]=cif&organization[services][][name]=Kinship+care')
 * // { organization: { organization_name: 'cif', services: [{ name: 'Kinship care' }] } }
 */
export function parseNestedForm(text: string): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  for (const [key, value] of new URLSearchParams(text)) {
    const head = /^[^[\]]+/.exec(key)?.[0];
    if (head === undefined) continue;
    const segments = [
      head,
      ...[...key.slice(head.length).matchAll(/\[([^[\]]*)\]/g)].map((match) => match[1] ?? ''),
    ];
    assign(root, segments, value);
  }
  return root;
}

function assign(container: Record<string, unknown> | unknown[], segments: string[], value: string): void {
  const [segment, ...rest] = segments;
  if (segment === undefined) return;
  if (Array.isArray(container)) {
    if (rest.length === 0) {
      container.push(value);
      return;
    }
    const last = container.at(-1);
    const nextKey = rest[0] ?? '';
    if (isRecord(last) && !(nextKey in last)) {
      assign(last, rest, value);
    } else {
      const child: Record<string, unknown> = {};
      container.push(child);
      assign(child, rest, value);
    }
    return;
  }
  if (rest.length === 0) {
    container[segment] = value;
    return;
  }
  const wantsArray = rest[0] === '';
  let child = container[segment];
  if (wantsArray && !Array.isArray(child)) child = [];
  if (!wantsArray && !isRecord(child)) child = {};
  container[segment] = child;
  if (wantsArray) assign(child as unknown[], rest, value);
  else assign(child as Record<string, unknown>, rest, value);
}

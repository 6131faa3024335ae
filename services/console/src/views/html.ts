/**
 * HTML built with a tagged template that escapes every interpolated value unless it is already `Html`
 * (made by this tag or by `raw`). No template engine and no build step: a page is a function of its data,
 * and text from the database (ids, reasons) can never become markup.
 *
 * @example html`<td>${reason}</td>` // reason `<b>` is shown as the text "<b>"
 */
export class Html {
  readonly value: string;
  constructor(value: string) {
    this.value = value;
  }
  toString(): string {
    return this.value;
  }
}

type Part = Html | string | number | null | undefined | false | readonly Part[];

export function html(strings: TemplateStringsArray, ...values: Part[]): Html {
  let out = strings[0] ?? '';
  values.forEach((value, index) => {
    out += render(value) + (strings[index + 1] ?? '');
  });
  return new Html(out);
}

/** Trusted markup, as is. Only for constants written in this code. */
export function raw(markup: string): Html {
  return new Html(markup);
}

export function escapeHtml(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

function render(value: Part): string {
  if (value === null || value === undefined || value === false) return '';
  if (value instanceof Html) return value.value;
  if (Array.isArray(value)) return (value as readonly Part[]).map(render).join('');
  return escapeHtml(String(value));
}

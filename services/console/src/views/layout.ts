import type { Language, MessageKey, Translate } from '../core/messages.ts';
import { languages, translator } from '../core/messages.ts';
import type { TimeFormat } from '../core/time.ts';
import { type Html, html, raw } from './html.ts';

/** A one-time message shown at the top of the next page (after a form's redirect). */
export interface Notice {
  kind: 'ok' | 'error';
  key: MessageKey;
  values?: Record<string, string | number>;
  /** Values that are labels themselves, translated when the notice is shown (e.g. a service's name). */
  labels?: Record<string, MessageKey>;
}

/** What every page needs besides its own data. */
export interface PageContext {
  t: Translate;
  time: TimeFormat;
  language: Language;
  /** The signed-in user; absent on the sign-in page. */
  user?: string | undefined;
  /** The CSRF token every form of the page carries; empty on a page without forms. */
  csrf: string;
  notice?: Notice | undefined;
  /** The path of this page, where the language switch returns to. */
  path: string;
}

const styles = raw(`
:root { --ink:#1d2733; --muted:#5a6776; --line:#d6dde5; --bg:#f5f7fa; --ok:#1f7a3f; --bad:#b3261e; --warn:#8a5a00; --accent:#1f5fa8; }
* { box-sizing: border-box; }
body { margin:0; font:15px/1.45 system-ui, "Noto Sans Khmer", "Khmer OS", sans-serif; color:var(--ink); background:var(--bg); }
header { background:#fff; border-bottom:1px solid var(--line); padding:.6rem 1.2rem; display:flex; flex-wrap:wrap; gap:1rem; align-items:center; }
header .title { font-weight:600; margin-right:auto; }
nav a { margin-right:1rem; color:var(--accent); text-decoration:none; }
nav a[aria-current=page] { font-weight:600; text-decoration:underline; }
main { padding:1rem 1.2rem; max-width:1200px; }
h1 { font-size:1.4rem; margin:.2rem 0 1rem; } h2 { font-size:1.15rem; margin:1.4rem 0 .6rem; } h3 { font-size:1rem; margin:.2rem 0 .4rem; }
.cards { display:grid; grid-template-columns:repeat(auto-fit, minmax(330px, 1fr)); gap:1rem; }
.card { background:#fff; border:1px solid var(--line); border-radius:6px; padding:.9rem 1rem; }
.help, .muted { color:var(--muted); }
dl { display:grid; grid-template-columns:max-content 1fr; gap:.25rem .9rem; margin:.4rem 0; }
dt { color:var(--muted); } dd { margin:0; }
table { border-collapse:collapse; width:100%; background:#fff; border:1px solid var(--line); }
th, td { text-align:left; padding:.35rem .5rem; border-bottom:1px solid var(--line); vertical-align:top; }
th { background:#eef2f6; font-weight:600; }
code, .id { font-family:ui-monospace, "DejaVu Sans Mono", monospace; font-size:.9em; word-break:break-all; }
.state { display:inline-block; padding:.05rem .5rem; border-radius:999px; font-size:.85em; font-weight:600; }
.state.ok { background:#e3f3e8; color:var(--ok); } .state.bad { background:#fbe4e2; color:var(--bad); } .state.warn { background:#fdf0d5; color:var(--warn); }
.notice { padding:.6rem .8rem; border-radius:6px; margin-bottom:1rem; border:1px solid; }
.notice.ok { background:#e3f3e8; border-color:#9fd3b0; } .notice.error { background:#fbe4e2; border-color:#eba8a2; }
form.inline { display:inline; }
form.filters { display:flex; flex-wrap:wrap; gap:.6rem; align-items:end; margin-bottom:1rem; }
label { display:flex; flex-direction:column; gap:.15rem; font-size:.9em; color:var(--muted); }
input, select, button { font:inherit; padding:.3rem .5rem; border:1px solid #aab6c3; border-radius:4px; }
button { background:var(--accent); color:#fff; border-color:var(--accent); cursor:pointer; }
button.secondary { background:#fff; color:var(--accent); }
button.danger { background:#fff; color:var(--bad); border-color:var(--bad); }
.login { max-width:360px; margin:3rem auto; }
.login form { display:flex; flex-direction:column; gap:.8rem; }
.plain { font-size:1.02rem; }
`);

export function layout(ctx: PageContext, title: string, body: Html): Html {
  const { t } = ctx;
  const link = (href: string, key: MessageKey) =>
    html`<a
      href="${href}"
      ${ctx.path === href || (href !== '/' && ctx.path.startsWith(href)) ? raw('aria-current="page"') : ''}
      >${t(key)}</a
    >`;
  return html`<!doctype html>
    <html lang="${ctx.language}">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>${title} · ${t('app.title')}</title>
        <style>
          ${styles}
        </style>
      </head>
      <body>
        <header>
          <span class="title">${t('app.title')}</span>
          ${
            ctx.user
              ? html`<nav>
                  ${link('/', 'nav.overview')}${link('/dead-letters', 'nav.deadLetters')}${link('/cases', 'nav.cases')}${link('/mappings', 'nav.mappings')}
                </nav>`
              : ''
          }
          ${ctx.csrf ? languageSwitch(ctx) : ''}
          ${
            ctx.user
              ? html`<span class="muted">${t('auth.signedInAs', { user: ctx.user })}</span>
                  <form class="inline" method="post" action="/logout">
                    ${csrfField(ctx)}<button class="secondary" type="submit">${t('auth.signOut')}</button>
                  </form>`
              : ''
          }
        </header>
        <main>${ctx.notice ? noticeOf(ctx, ctx.notice) : ''} ${body}</main>
      </body>
    </html>`;
}

function noticeOf(ctx: PageContext, notice: Notice): Html {
  const labels = Object.fromEntries(
    Object.entries(notice.labels ?? {}).map(([name, key]) => [name, ctx.t(key)]),
  );
  return html`<div class="notice ${notice.kind}" role="status">
    ${ctx.t(notice.key, { ...notice.values, ...labels })}
  </div>`;
}

export function csrfField(ctx: Pick<PageContext, 'csrf'>): Html {
  return html`<input type="hidden" name="_csrf" value="${ctx.csrf}" />`;
}

/** English and ខ្មែរ, each named in its own language, as a form (it changes the session). */
function languageSwitch(ctx: PageContext): Html {
  return html`<form class="inline" method="post" action="/language" aria-label="${ctx.t('lang.switch')}">
    ${csrfField(ctx)}<input type="hidden" name="back" value="${ctx.path}" />
    ${languages.map(
      (language) =>
        html`<button
          type="submit"
          name="language"
          value="${language}"
          class="${language === ctx.language ? '' : 'secondary'}"
          lang="${language}"
        >
          ${translator(language)('lang.name')}
        </button> `,
    )}
  </form>`;
}

export function messagePage(ctx: PageContext, title: string, message: string): Html {
  return layout(
    ctx,
    title,
    html`<h1>${title}</h1>
      <p>${message}</p>
      <p><a href="/">${ctx.t('error.back')}</a></p>`,
  );
}

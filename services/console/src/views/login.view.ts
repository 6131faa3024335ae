import { html } from './html.ts';
import { csrfField, layout, type PageContext } from './layout.ts';

export function loginPage(ctx: PageContext, options: { user?: string; next: string }): string {
  const { t } = ctx;
  return layout(
    ctx,
    t('auth.title'),
    html`<div class="login card">
      <h1>${t('auth.title')}</h1>
      <form method="post" action="/login">
        ${csrfField(ctx)}
        <input type="hidden" name="next" value="${options.next}" />
        <label
          >${t('auth.user')}<input name="user" autocomplete="username" required value="${options.user ?? ''}"
        /></label>
        <label
          >${t('auth.password')}<input
            name="password"
            type="password"
            autocomplete="current-password"
            required
        /></label>
        <button type="submit">${t('auth.submit')}</button>
      </form>
    </div>`,
  ).value;
}

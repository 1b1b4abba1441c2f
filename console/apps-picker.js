import { api } from './api.js';
import { html, useLoad } from './ui.js';

/** The ids of the apps this service serves, from /admin/rules. */
export function useApps() {
  return useLoad(() => api('GET', '/admin/rules').then((r) => r.body.apps.map((a) => a.appId)), []);
}

export function AppPicker({ apps, value, onChange }) {
  if (apps.length < 2) return null;
  return html`<p><label for="app-picker">App </label>
    <select id="app-picker" value=${value} onChange=${(e) => onChange(e.currentTarget.value)}>
      ${apps.map((a) => html`<option value=${a}>${a}</option>`)}
    </select></p>`;
}

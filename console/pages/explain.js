import { html } from '../ui.js';

export function ExplainPage() {
  return html`<p class="muted">Not built yet.</p>`;
}

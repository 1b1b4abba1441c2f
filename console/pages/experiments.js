import { html } from '../ui.js';

export function ExperimentsPage() {
  return html`<p class="muted">Not built yet.</p>`;
}

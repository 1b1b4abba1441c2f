import { html } from '../ui.js';

export function ImpactPage() {
  return html`<p class="muted">Not built yet.</p>`;
}

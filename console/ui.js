import htm from 'htm';
import { h } from 'preact';
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';

/** JSX-like templates without a build step; every value is rendered as text, never as HTML. */
export const html = htm.bind(h);

/**
 * Loads something once (and again on `reload()`), with its loading and error states and
 * `loadedAt`, the instant the data shown was read (a page says it beside its Refresh button).
 */
export function useLoad(load, deps) {
  const [state, setState] = useState({ loading: true, error: null, data: null, loadedAt: null });
  const [round, setRound] = useState(0);
  useEffect(() => {
    let live = true;
    setState((s) => ({ ...s, loading: true }));
    load().then(
      (data) => live && setState({ loading: false, error: null, data, loadedAt: new Date().toISOString() }),
      (error) => live && setState({ loading: false, error, data: null, loadedAt: null }),
    );
    return () => {
      live = false;
    };
  }, [...deps, round]);
  const reload = useCallback(() => setRound((r) => r + 1), []);
  return { ...state, reload };
}

export function Loading({ what }) {
  return html`<p class="loading" role="status">Loading ${what}…</p>`;
}

export function ErrorBox({ error }) {
  if (!error) return null;
  return html`<p class="error" role="alert">${error.message ?? String(error)}</p>`;
}

/**
 * A data page's Refresh button and when its data was read: an open tab otherwise kept showing
 * the figures of when it was opened, with nothing saying how old they were.
 */
export function RefreshBar({ loading, loadedAt, onRefresh }) {
  return html`<p class="refresh-bar"><button type="button" onClick=${onRefresh}>Refresh</button>
    <span class="muted" role="status">${loading ? 'Loading…' : html`Loaded <${Time} iso=${loadedAt} />`}</span></p>`;
}

/** A date as the reader's local time, with the exact ISO value on hover. */
export function Time({ iso }) {
  if (!iso) return html`<span class="muted">—</span>`;
  return html`<time datetime=${iso} title=${iso}>${new Date(iso).toLocaleString()}</time>`;
}

export const short = (hash) => (hash ? hash.slice(0, 12) : '—');

/**
 * A confirmation in a modal <dialog>: focus moves into it, Escape cancels, and the
 * action runs only on the explicit button.
 */
export function ConfirmButton({ label, question, confirmLabel, onConfirm, disabled }) {
  const dialog = useRef(null);
  return html`
    <button type="button" disabled=${disabled} onClick=${() => dialog.current.showModal()}>${label}</button>
    <dialog ref=${dialog} aria-label=${label}>
      <form method="dialog">
        <p>${question}</p>
        <menu>
          <button value="cancel" autofocus>Cancel</button>
          <button value="confirm" class="danger" onClick=${() => onConfirm()}>${confirmLabel}</button>
        </menu>
      </form>
    </dialog>
  `;
}

/** A percentage from a 0–1 rate, as an analyst reads it. */
export const percent = (rate, digits = 2) =>
  typeof rate === 'number' ? `${(rate * 100).toFixed(digits)} %` : '—';

export function Field({ id, label, children, hint }) {
  return html`<div class="field">
    <label for=${id}>${label}</label>
    ${children}
    ${hint ? html`<small id=${`${id}-hint`}>${hint}</small>` : null}
  </div>`;
}

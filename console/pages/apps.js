import { useEffect, useRef, useState } from 'preact/hooks';
import { api } from '../api.js';
import { ConfirmButton, ErrorBox, html, Loading, RefreshBar, short, Time, useLoad } from '../ui.js';
import { useRulesChange } from '../use-rules-change.js';

/** One problem line: `banner.yaml:12:5 — …` keeps its position readable and selectable. */
function Problems({ problems }) {
  return html`<ul class="problems">${problems.map((p) => html`<li><code>${p}</code></li>`)}</ul>`;
}

/** Whether the files on disk that wait while pinned are the ones refused (a rollback keeps saying so). */
const refusedOnDisk = (error, pinned) =>
  Boolean(error && pinned?.pendingHash && error.hash === pinned.pendingHash);

function LastError({ error, pinned }) {
  if (!error) {
    // Pinned after a rollback, files changed since do not serve: "what serves" would be false.
    // The registry keeps the refusal of the files on disk through a rollback, so none means they passed.
    return pinned?.pendingHash
      ? html`<p class="ok">No error: the files on disk are valid, but they do not serve while ${short(pinned.hash)} is pinned.</p>`
      : html`<p class="ok">No error: the files on disk are what serves.</p>`;
  }
  return html`<section class="callout error-box" aria-label="Last error">
    <h4>Refused change <${Time} iso=${error.at} /></h4>
    <p>Files ${short(error.hash)} were not activated. ${
      error.serving
        ? html`Still serving ${error.serving.version} (${short(error.serving.hash)}).`
        : 'Nothing serves yet.'
    }${
      refusedOnDisk(error, pinned)
        ? ` They are the files on disk now: refused, they do not serve after a reload either, until they are fixed.`
        : ''
    }</p>
    <${Problems} problems=${error.problems} />
  </section>`;
}

function Pinned({ pinned, error }) {
  if (!pinned) return null;
  return html`<section class="callout" aria-label="Pinned">
    <h4>Pinned to ${short(pinned.hash)}</h4>
    <p>After a rollback, file changes wait for an explicit reload.
      ${
        pinned.pendingHash
          ? refusedOnDisk(error, pinned)
            ? html` Files on disk (${short(pinned.pendingHash)}) differ from what serves, and were refused (above).`
            : html` Files on disk (${short(pinned.pendingHash)}) differ from what serves.`
          : ' The files on disk are what serves.'
      }</p>
    ${pinned.summary ? html`<p>${pinned.summary}</p>` : null}
    ${pinned.filesOnDisk?.length ? html`<ul>${pinned.filesOnDisk.map((f) => html`<li><code>${f.file}</code>: ${f.status}, ${f.changedLines} line(s) removed or added on disk (a changed line is one of each)</li>`)}</ul>` : null}
  </section>`;
}

/**
 * Rules that serve but can never fire, as `offerd validate` warns, and files the reload found
 * changed without a version bump: they never block a reload.
 */
function Warnings({ warnings }) {
  if (!warnings?.length) return null;
  return html`<section class="callout" aria-label="Warnings">
    <h4>${warnings.length} warning${warnings.length === 1 ? '' : 's'} in the serving rules</h4>
    <p>These rules are live but very likely do not do what was meant.</p>
    <ul class="problems">${warnings.map((w) => html`<li><code>${w.file}:${w.line}:${w.col}</code> ${w.message}</li>`)}</ul>
  </section>`;
}

/** One file's changed lines, `-old` / `+new`, each stretch headed by where it starts. */
function FileDiff({ d }) {
  return html`<div class="file-diff">
    <code>${d.status} ${d.file}</code>${d.truncated ? html` <small>(cut: too many changed lines)</small>` : null}
    ${d.hunks.map(
      (h) =>
        html`<pre class="diff" aria-label=${`${d.file} from line ${h.newLine}`}>${`@@ line ${h.oldLine} → ${h.newLine}\n`}${h.lines.map(
          (l) =>
            html`<span class=${l.startsWith('+') ? 'added' : l.startsWith('-') ? 'removed' : ''}>${l}\n</span>`,
        )}</pre>`,
    )}
  </div>`;
}

function Changes({ entry }) {
  const c = entry.changed ?? { added: [], removed: [], modified: [] };
  const files = [
    ...c.added.map((f) => `+ ${f}`),
    ...c.removed.map((f) => `− ${f}`),
    ...c.modified.map((f) => `~ ${f}`),
  ];
  return html`${files.length ? files.join(', ') : 'no file changed'}
    ${entry.diff?.length ? html`<details><summary>Diff</summary>${entry.diff.map((d) => html`<${FileDiff} d=${d} />`)}</details>` : null}`;
}

/** A confirmed rollback of `app` to a hash: the hash it served, or the error it met (shown under its table). */
function useRollback(app, onRolledBack) {
  const [error, setError] = useState(null);
  const [done, setDone] = useState(null);
  const rollback = async (hash) => {
    setError(null);
    setDone(null);
    try {
      const res = await api('POST', `/admin/rules/${encodeURIComponent(app.appId)}/rollback`, { hash });
      setDone({ hash, warnings: res.body?.warnings ?? [] });
      onRolledBack();
    } catch (err) {
      setError(err);
    }
  };
  return [rollback, error, done];
}

/**
 * What a rollback did, focused once it is done: the button that opened the confirmation is
 * gone from its row (now "serving"), and focus fell on another row's "Roll back to …".
 */
function RolledBack({ appId, done }) {
  const status = useRef(null);
  useEffect(() => status.current?.focus(), [done]);
  if (!done) return null;
  // What the rollback changed in the experiments (a stopped one running again, new weights).
  const warnings = done.warnings.length
    ? html`<ul class="problems" aria-label="What the rollback changed">${done.warnings.map((w) => html`<li>${w}</li>`)}</ul>`
    : null;
  return html`<div role="status" tabindex="-1" ref=${status}><p class="ok">${`Rolled back: ${appId} serves ${short(done.hash)}, pinned until the next explicit reload.`}</p>${warnings}</div>`;
}

function History({ app, onRolledBack }) {
  const [rollback, error, done] = useRollback(app, onRolledBack);
  // Files edited without a version bump give snapshots the same version: the hash tells them
  // apart. The newest activation of the serving hash is what serves; an older activation of the
  // same files would roll back to nothing new.
  const servingAt = app.history.findIndex((e) => e.hash === app.active?.hash);
  return html`<table tabindex="0">
      <caption>History of ${app.appId}, newest first</caption>
      <thead><tr><th scope="col">Version and hash</th><th scope="col">Activated</th><th scope="col">How</th><th scope="col">Changes</th><th scope="col"><span class="sr-only">Actions</span></th></tr></thead>
      <tbody>${app.history.map(
        // Keyed by the entry: an auto-refresh that adds a row must not move an open confirmation
        // (and its onConfirm) to another snapshot (focused check: it rolled back to the wrong one).
        (e, i) => html`<tr key=${`${e.hash} ${e.activatedAt}`}>
          <td><code>${e.version}</code> <code title=${e.hash}>${short(e.hash)}</code></td>
          <td><${Time} iso=${e.activatedAt} /></td>
          <td>${e.reason} (${Math.round(e.ms)} ms)</td>
          <td><${Changes} entry=${e} /></td>
          <td>${
            i === servingAt
              ? html`<span class="badge">serving</span>`
              : e.hash === app.active?.hash
                ? html`<span class="muted">same files as serving</span>`
                : html`<${ConfirmButton} label=${`Roll back to ${short(e.hash)}`} confirmLabel="Roll back"
                  question=${`Serve ${app.appId} snapshot ${short(e.hash)} (version ${e.version}) again? The app stays pinned to it until the next explicit reload.`}
                  onConfirm=${() => rollback(e.hash)} />`
          }</td>
        </tr>`,
      )}</tbody>
    </table>
    <${RolledBack} appId=${app.appId} done=${done} />
    <${ErrorBox} error=${error} />`;
}

/**
 * Snapshots the store keeps that are not in this process's history (served before it started:
 * a deploy, a crash; by another instance; or dropped from its 10 entries): a rollback finds
 * them too, so a bad deploy can be undone from here.
 */
function Kept({ app, onRolledBack }) {
  const [rollback, error, done] = useRollback(app, onRolledBack);
  const older = (app.kept ?? []).filter((k) => !app.history.some((e) => e.hash === k.hash));
  // Rolled back to the last of them: it is in the history now, and the status stays.
  if (older.length === 0) return html`<${RolledBack} appId=${app.appId} done=${done} />`;
  return html`<table tabindex="0">
      <caption>Kept by the store, not in this instance's history (served before it started, or by another instance), newest first</caption>
      <thead><tr><th scope="col">Hash</th><th scope="col">Last went live</th><th scope="col"><span class="sr-only">Actions</span></th></tr></thead>
      <tbody>${older.map(
        (k) => html`<tr key=${k.hash}>
          <td><code title=${k.hash}>${short(k.hash)}</code></td>
          <td><${Time} iso=${k.at} /></td>
          <td><${ConfirmButton} label=${`Roll back to ${short(k.hash)}`} confirmLabel="Roll back"
            question=${`Serve ${app.appId} snapshot ${short(k.hash)} again? The app stays pinned to it until the next explicit reload.`}
            onConfirm=${() => rollback(k.hash)} /></td>
        </tr>`,
      )}</tbody>
    </table>
    <${RolledBack} appId=${app.appId} done=${done} />
    <${ErrorBox} error=${error} />`;
}

function AppCard({ app, onChange }) {
  const [outcome, setOutcome] = useState(null);
  const [error, setError] = useState(null);
  const reload = async () => {
    setError(null);
    try {
      // A reload that fails answers 422 with its outcomes: shown as the outcome, not as an error.
      const res = await api('POST', `/admin/rules/reload?app=${encodeURIComponent(app.appId)}`, undefined, {
        answers: [422],
      });
      setOutcome(res.body.outcomes?.[0] ?? null);
      onChange();
    } catch (err) {
      setError(err);
    }
  };
  return html`<article class="card" aria-labelledby=${`app-${app.appId}`}>
    <h2 id=${`app-${app.appId}`}>${app.appId}</h2>
    ${
      app.active
        ? html`<dl class="facts">
            <dt>Live version</dt><dd><code>${app.active.version}</code></dd>
            <dt>Hash</dt><dd><code>${app.active.hash}</code></dd>
            <dt>Activated</dt><dd><${Time} iso=${app.active.loadedAt} /> (${app.history[0]?.reason ?? '—'})</dd>
            <dt>Files</dt><dd>${app.active.files.map((f) => html`<code>${f.path}</code> `)}</dd>
          </dl>`
        : html`<p class="error">No valid rules have ever loaded: this app's APIs answer 503.</p>`
    }
    <${LastError} error=${app.lastError} pinned=${app.pinned} />
    <${Warnings} warnings=${app.warnings} />
    <${Pinned} pinned=${app.pinned} error=${app.lastError} />
    <p class="actions">
      <button type="button" onClick=${reload}>Reload ${app.appId} from disk</button>
      ${outcome ? html`<span role="status">Reload: ${outcome.result}${outcome.problems ? ` — ${outcome.problems.length} problem(s)` : ''}${outcome.warnings?.length ? ` — ${outcome.warnings.length} warning(s)` : ''}${outcome.kept === false ? ' — not kept in the store (retried): a restart on broken files would serve the rules kept before' : ''}</span>` : null}
    </p>
    <${ErrorBox} error=${error} />
    <${History} app=${app} onRolledBack=${onChange} />
    <${Kept} app=${app} onRolledBack=${onChange} />
  </article>`;
}

/** Each app's live rules, why a change was refused, pinning and history, with reload and rollback. */
export function AppsPage() {
  const { loading, error, data, reload, loadedAt } = useLoad(
    () => api('GET', '/admin/rules').then((r) => r.body),
    [],
  );
  useRulesChange(reload);
  if (loading && !data) return html`<${Loading} what="apps" />`;
  if (error) return html`<${ErrorBox} error=${error} />`;
  return html`<${RefreshBar} loading=${loading} loadedAt=${loadedAt} onRefresh=${reload} />
    <p class="muted">Answered by instance <code>${data.instance.id}</code>, up since <${Time} iso=${data.instance.startedAt} />.</p>
    ${data.apps.map((app) => html`<${AppCard} key=${app.appId} app=${app} onChange=${reload} />`)}`;
}

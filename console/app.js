import { render } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, session } from './api.js';
import { AppsPage } from './pages/apps.js';
import { ExperimentsPage } from './pages/experiments.js';
import { ExplainPage } from './pages/explain.js';
import { ImpactPage } from './pages/impact.js';
import { OperationsPage } from './pages/operations.js';
import { ErrorBox, Field, html } from './ui.js';

const PAGES = [
  { path: 'apps', title: 'Apps', Page: AppsPage },
  { path: 'experiments', title: 'Experiments', Page: ExperimentsPage },
  { path: 'explain', title: 'Explain a player', Page: ExplainPage },
  { path: 'impact', title: 'Impact of a change', Page: ImpactPage },
  { path: 'operations', title: 'Operations', Page: OperationsPage },
];

/** The page and its query from the location hash: `#/explain?app=demo&user=u-1`. */
function route() {
  const [path, query = ''] = window.location.hash.replace(/^#\/?/, '').split('?');
  const page = PAGES.find((p) => p.path === path) ?? PAGES[0];
  return { page, params: new URLSearchParams(query) };
}

function useRoute() {
  const [current, setCurrent] = useState(route);
  useEffect(() => {
    const onChange = () => setCurrent(route());
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return current;
}

function Login({ onSignedIn }) {
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const submit = async (event) => {
    event.preventDefault();
    const token = new FormData(event.currentTarget).get('token');
    setBusy(true);
    session.signIn(String(token));
    try {
      await api('GET', '/admin/rules');
      onSignedIn();
    } catch (err) {
      session.signOut();
      setError(err.status === 401 || err.status === 403 ? new Error('That admin token was refused.') : err);
    } finally {
      setBusy(false);
    }
  };
  return html`<main class="login">
    <h1>offerd console</h1>
    <form onSubmit=${submit}>
      <${Field} id="token" label="Admin token" hint="Kept in this browser tab only; closing the tab signs you out.">
        <input id="token" name="token" type="password" autocomplete="off" required aria-describedby="token-hint" />
      <//>
      <button type="submit" disabled=${busy}>Sign in</button>
      <${ErrorBox} error=${error} />
    </form>
  </main>`;
}

function Shell({ onSignOut }) {
  const { page, params } = useRoute();
  const shown = useRef(null);
  useEffect(() => {
    document.title = `${page.title} · offerd console`;
    // After a move to another page a screen reader starts at its title; on the first page
    // focus stays at the top, where the skip link is the first Tab stop.
    if (shown.current && shown.current !== page) document.getElementById('page-title')?.focus();
    shown.current = page;
  }, [page]);
  return html`
    <a class="skip" href="#content" onClick=${(e) => {
      e.preventDefault();
      document.getElementById('content')?.focus();
    }}>Skip to content</a>
    <header>
      <span class="brand">offerd</span>
      <nav aria-label="Console sections">
        <ul>
          ${PAGES.map(
            (p) =>
              html`<li><a href=${`#/${p.path}`} aria-current=${p === page ? 'page' : undefined}>${p.title}</a></li>`,
          )}
        </ul>
      </nav>
      <button type="button" class="link" onClick=${onSignOut}>Sign out</button>
    </header>
    <main id="content" tabindex="-1">
      <h1 id="page-title" tabindex="-1">${page.title}</h1>
      <${page.Page} params=${params} />
    </main>
  `;
}

function Console() {
  const [signedIn, setSignedIn] = useState(() => session.token() !== null);
  useEffect(() => {
    const out = () => setSignedIn(false);
    window.addEventListener('offerd:signed-out', out);
    return () => window.removeEventListener('offerd:signed-out', out);
  }, []);
  const signOut = () => {
    session.signOut();
    setSignedIn(false);
  };
  return signedIn
    ? html`<${Shell} onSignOut=${signOut} />`
    : html`<${Login} onSignedIn=${() => setSignedIn(true)} />`;
}

const root = document.getElementById('root');
// The static "Loading…" line is for a slow first load only: render replaces it.
root.replaceChildren();
render(html`<${Console} />`, root);

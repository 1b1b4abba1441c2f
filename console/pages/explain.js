import { useErrorBoundary } from 'preact/hooks';
import { api } from '../api.js';
import { AppPicker, useApps } from '../apps-picker.js';
import { ErrorBox, Field, html, Loading, Time } from '../ui.js';
import { useParam } from '../use-param.js';
import { useSubmit } from '../use-submit.js';
import { BannerExplanation, JourneysExplanation, OfferwallExplanation } from './explain-views.js';

const VIEWS = { banner: BannerExplanation, offerwall: OfferwallExplanation, journeys: JourneysExplanation };

/**
 * The banner's request fields: the store does not know what the player sent, so without them
 * the decision is the one for a request of no country and offerId "explain", not the player's.
 * Context is a JSON object of the request's other keys (the vendor's ContextObject).
 */
function bannerRequest(value) {
  const request = {};
  const context = value('context');
  if (context) {
    let parsed;
    try {
      parsed = JSON.parse(context);
    } catch {
      parsed = undefined;
    }
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
      throw new Error('Context must be a JSON object, such as {"activeChamp": "ahri"}.');
    }
    Object.assign(request, parsed);
  }
  for (const name of ['offerId', 'countryIso2', 'languageIso2']) if (value(name)) request[name] = value(name);
  return request;
}

/** The explain API's body from the form: the stored user, and request fields only when given. */
function explainBody(form) {
  const value = (name) => String(form.get(name) ?? '').trim();
  const request = value('api') === 'banner' ? bannerRequest(value) : {};
  if (value('api') === 'offerwall' && value('ip')) request.ip = value('ip');
  if (value('api') === 'offerwall' && value('numoffers')) request.numoffers = Number(value('numoffers'));
  if (value('api') === 'journeys' && value('environment')) request.environment = value('environment');
  return {
    api: value('api'),
    user: value('user'),
    ...(Object.keys(request).length > 0 ? { request } : {}),
    ...(value('now') ? { now: new Date(value('now')).toISOString() } : {}),
  };
}

/** The banner request's own fields and its context; each left empty is not sent. */
function BannerFields() {
  return html`<${Field} id="offerId" label="Offer id" hint="empty: the placeholder explain"><input id="offerId" name="offerId" aria-describedby="offerId-hint" /><//>
  <${Field} id="countryIso2" label="Country (ISO 2)" hint="empty: no country"><input id="countryIso2" name="countryIso2" maxlength="2" size="4" aria-describedby="countryIso2-hint" /><//>
  <${Field} id="languageIso2" label="Language (ISO 2)" hint="empty: no language"><input id="languageIso2" name="languageIso2" maxlength="2" size="4" aria-describedby="languageIso2-hint" /><//>
  <${Field} id="context" label="Context (JSON object)" hint="the request's other keys"><textarea id="context" name="context" rows="2" placeholder='{"activeChamp": "ahri"}' aria-describedby="context-hint"></textarea><//>`;
}

/** What the answer says was not the player's: a past time explained with today's data, request fields filled in, a uid with nothing stored. */
function Notes({ r }) {
  const notes = [r.asOf?.note, r.notGiven?.note, r.user?.note].filter(Boolean);
  return notes.map((n) => html`<p class="callout" role="note">${`Note: ${n}.`}</p>`);
}

/**
 * One explanation view, kept from blanking the page: a `why` of a shape the view does not know
 * (a newer server's) is said as such, with the answer as JSON, instead of a script error.
 */
function Guarded({ View, e }) {
  const [error] = useErrorBoundary();
  if (!error) return html`<${View} e=${e} />`;
  return html`<p role="alert">${`The page cannot draw this ${e.api} explanation (${error.message}); the API's answer follows.`}</p>
    <pre>${JSON.stringify({ decision: e.decision, why: e.why }, null, 2)}</pre>`;
}

/** A stored player's decision, explained as the explain API gives it, for a person to read. */
export function ExplainPage({ params }) {
  const apps = useApps();
  const [appId, setAppId] = useParam(params, 'app');
  const [apiName, setApiName] = useParam(params, 'api', 'banner');
  // A link naming its app (#/explain?app=demo) still waits for the list the picker shows.
  const app = apps.data ? (appId ?? apps.data[0]) : undefined;
  const state = useSubmit(async (form) => {
    const res = await api('POST', `/admin/apps/${encodeURIComponent(app)}/explain`, explainBody(form));
    return res.body;
  });
  if (apps.error) return html`<${ErrorBox} error=${apps.error} />`;
  if (!app) return html`<${Loading} what="apps" />`;
  const r = state.result;
  const View = r ? VIEWS[r.api] : null;
  return html`<${AppPicker} apps=${apps.data} value=${app} onChange=${setAppId} />
    <form class="inline-form" onSubmit=${state.onSubmit} aria-label="Explain a stored player">
      <${Field} id="user" label="User id"><input id="user" name="user" required key=${params.get('user') ?? ''} defaultValue=${params.get('user') ?? ''} /><//>
      <${Field} id="api" label="API">
        <select id="api" name="api" value=${apiName} onChange=${(e) => setApiName(e.currentTarget.value)}>
          <option value="banner">Personal offers (banner)</option>
          <option value="offerwall">Offerwall</option>
          <option value="journeys">User journeys</option>
        </select>
      <//>
      ${
        apiName === 'offerwall'
          ? html`<${Field} id="ip" label="Player IP (country)"><input id="ip" name="ip" placeholder="empty: no country" /><//>
        <${Field} id="numoffers" label="Offers shown"><input id="numoffers" name="numoffers" type="number" min="1" max="500" required defaultValue="10" /><//>`
          : null
      }
      ${apiName === 'banner' ? html`<${BannerFields} />` : null}
      ${apiName === 'journeys' ? html`<${Field} id="environment" label="Environment"><select id="environment" name="environment"><option value="">live, then test</option><option value="live">live</option><option value="test">test</option></select><//>` : null}
      <${Field} id="now" label="At (empty: now)"><input id="now" name="now" type="datetime-local" /><//>
      <button type="submit" disabled=${state.busy}>${state.busy ? 'Explaining…' : 'Explain'}</button>
    </form>
    <${ErrorBox} error=${state.error} />
    ${
      r
        ? html`<section aria-labelledby="explained">
            <h2 id="explained">${r.user?.id ?? 'Player'} on ${r.api}</h2>
            <p class="muted">Rules ${r.rules.hash} at <${Time} iso=${r.now} />; stored records loaded: ${Object.entries(
              r.user?.loaded ?? {},
            )
              .map(([k, v]) => `${k} ${v}`)
              .join(', ')}.</p>
            <${Notes} r=${r} />
            <${Guarded} key=${`${r.api} ${r.user?.id} ${r.now}`} View=${View} e=${r} />
          </section>`
        : null
    }`;
}

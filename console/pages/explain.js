import { useState } from 'preact/hooks';
import { api } from '../api.js';
import { AppPicker, useApps } from '../apps-picker.js';
import { ErrorBox, Field, html, Loading, Time } from '../ui.js';
import { useSubmit } from '../use-submit.js';
import { BannerExplanation, JourneysExplanation, OfferwallExplanation } from './explain-views.js';

const VIEWS = { banner: BannerExplanation, offerwall: OfferwallExplanation, journeys: JourneysExplanation };

/** The explain API's body from the form: the stored user, and request fields only when given. */
function explainBody(form) {
  const value = (name) => String(form.get(name) ?? '').trim();
  const request = {};
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

/** A stored player's decision, explained as the explain API gives it, for a person to read. */
export function ExplainPage({ params }) {
  const apps = useApps();
  const [appId, setAppId] = useState(params.get('app'));
  const [apiName, setApiName] = useState(params.get('api') ?? 'banner');
  const app = appId ?? apps.data?.[0];
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
      <${Field} id="user" label="User id"><input id="user" name="user" required defaultValue=${params.get('user') ?? ''} /><//>
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
            <${View} e=${r} />
          </section>`
        : null
    }`;
}

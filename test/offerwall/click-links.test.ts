import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import path from 'node:path';
import test from 'ava';
import { ConfigError, loadConfig } from '../../src/config/load-config.js';
import {
  DEMO_CATALOG,
  type PersonalizedJson,
  startOfferwall,
  tempDir,
} from '../helpers/offerwall-service.js';
import { checkedFetch } from '../helpers/openapi-check.js';

const CLICK_SECRET = 'demo-click-secret-change-me';
const LIST = '/api/v1/users/u-1/personalized?wall=1001&numoffers=20&ip=8.8.8.8&sid3=sess-1';
const DAY = 86_400_000;

/** A clock the test moves. */
function clock(iso: string) {
  let now = new Date(iso);
  return { now: () => now, set: (d: Date) => (now = d) };
}

/** GET with headers fetch will not send as given (Host). */
function rawGet(base: string, p: string, headers: Record<string, string>): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request(`${base}${p}`, { headers }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => {
        body += d.toString();
      });
      res.on('end', () => resolve(body));
    });
    req.on('error', reject);
    req.end();
  });
}

const click = (url: string | URL) => checkedFetch(url, { redirect: 'manual' });

const FORGED = {
  Host: 'attacker.example',
  'X-Forwarded-Host': 'attacker.example',
  'X-Forwarded-Proto': 'https',
  Origin: 'https://attacker.example',
};

test('a forged Host never reaches click links: the listening address when http.publicUrl is unset', async (t) => {
  const h = await startOfferwall(t);
  const body = JSON.parse(await rawGet(h.base, LIST, FORGED)) as PersonalizedJson;
  t.true(body.offers.length > 0);
  t.false(JSON.stringify(body).includes('attacker.example'));
  for (const o of body.offers) t.true(o.click_url.startsWith(`${h.base}/api/v1/click?`), o.click_url);
});

test('a forged Host never reaches click links: http.publicUrl, even behind a trusted proxy', async (t) => {
  const h = await startOfferwall(t, {
    overrides: {
      http: { bodyLimit: '1mb', trustedProxies: ['127.0.0.1'], publicUrl: 'https://offers.example.com' },
    },
  });
  const text = await rawGet(h.base, LIST, FORGED);
  t.false(text.includes('attacker.example'));
  const body = JSON.parse(text) as PersonalizedJson;
  t.true(body.offers.every((o) => o.click_url.startsWith('https://offers.example.com/api/v1/click?')));
});

/** The HMAC-SHA256 a click link should carry, computed here from its own parameters. */
function expectedSig(q: URLSearchParams): string {
  const message = ['v2', ...['wall', 'uid', 'sid3', 'exp', 'offers'].map((k) => q.get(k) ?? '')].join('\n');
  return createHmac('sha256', CLICK_SECRET).update(message).digest('hex');
}

test('click links carry exp (now + 30 days) and their group, under an HMAC-SHA256 checked with node:crypto', async (t) => {
  const c = clock('2026-12-01T10:00:00.500Z');
  const h = await startOfferwall(t, { now: c.now });
  const { body } = await h.json<PersonalizedJson>(LIST);
  t.is(body.offers.length, 20);
  const ids = body.offers.map((o) => o.offer_id).join(',');
  for (const o of body.offers) {
    const url = new URL(o.click_url);
    const q = url.searchParams;
    t.deepEqual([...q.keys()], ['wall', 'uid', 'offer', 'offers', 'sid3', 'exp', 'sig']);
    t.is(q.get('offer'), String(o.offer_id));
    t.is(q.get('offers'), ids, 'one group: every offer of the response, in its order');
    t.true(url.search.includes(`&offers=${ids}&`), 'commas as they are, not %2C');
    t.is(q.get('exp'), String(Math.floor((c.now().getTime() + 30 * DAY) / 1000)));
    t.is(q.get('sig'), expectedSig(q));
  }
});

test('a 60-offer response has 3 signatures, one per group of 25 consecutive links, each checked with node:crypto', async (t) => {
  const h = await startOfferwall(t);
  const { body } = await h.json<PersonalizedJson>(LIST.replace('numoffers=20', 'numoffers=60'));
  t.is(body.offers.length, 60);
  const links = body.offers.map((o) => new URL(o.click_url).searchParams);
  const groups = [links.slice(0, 25), links.slice(25, 50), links.slice(50)];
  t.is(new Set(links.map((q) => q.get('sig'))).size, 3);
  groups.forEach((group, g) => {
    const ids = body.offers.slice(25 * g, 25 * g + group.length).map((o) => o.offer_id);
    for (const q of group) {
      t.is(q.get('offers'), ids.join(','), `group ${g}`);
      t.is(q.get('sig'), group[0]?.get('sig') ?? null, `group ${g} shares one signature`);
      t.is(q.get('sig'), expectedSig(q));
    }
  });
});

test('a link names one offer of its list: another id of the list is that offer, any other id or list is 403', async (t) => {
  const h = await startOfferwall(t);
  const [first, second] = (await h.json<PersonalizedJson>(LIST)).body.offers;
  if (!first || !second) throw new Error('the demo wall has offers for u-1');
  const url = new URL(first.click_url);
  const ids = url.searchParams.get('offers')?.split(',') ?? [];
  const other = (await h.json<PersonalizedJson>(LIST.replace('numoffers=20', 'numoffers=60'))).body.offers
    .map((o) => String(o.offer_id))
    .find((id) => !ids.includes(id));
  if (!other) throw new Error('the demo wall has more than 20 offers for u-1');
  const forged = (params: Record<string, string>) => {
    const u = new URL(url);
    for (const [k, v] of Object.entries(params)) u.searchParams.set(k, v);
    return click(u);
  };
  const tampered: Record<string, string>[] = [
    { offer: other },
    { offer: other, offers: [...ids, other].join(',') },
    { offer: other, offers: [other, ...ids.slice(1)].join(',') },
    { offers: ids.slice(0, -1).join(',') },
    { offers: [...ids].reverse().join(',') },
  ];
  for (const params of tampered) {
    const res = await forged(params);
    t.is(res.status, 403, JSON.stringify(params));
    t.like(await res.json(), { error: { code: 'INVALID_SIGNATURE' } });
  }
  const noList = new URL(url);
  noList.searchParams.delete('offers');
  t.is((await click(noList)).status, 403, 'exp without offers: no link of ours');
  // The same response's second offer, through the first offer's link: what its own link does.
  t.is((await forged({ offer: String(second.offer_id) })).status, 302);
  const after = (await h.json<PersonalizedJson>(LIST)).body.offers;
  t.true(after.find((o) => o.offer_id === second.offer_id)?.in_progress);
  t.false(after.find((o) => o.offer_id === first.offer_id)?.in_progress);
});

test('a malformed offers list is 400 INVALID_PARAMETER', async (t) => {
  const h = await startOfferwall(t);
  const url = new URL((await h.json<PersonalizedJson>(LIST)).body.offers[0]?.click_url ?? '');
  const offer = url.searchParams.get('offer') ?? '';
  const many = Array.from({ length: 26 }, (_, k) => String(k + 1));
  for (const offers of [
    `${offer},`,
    `,${offer}`,
    `${offer},,1`,
    `${offer},${offer}`,
    `0${offer}`,
    `${offer},0`,
    `${offer},-1`,
    `${offer}, 2`,
    `${offer},1.5`,
    `${offer},9007199254740992`,
    `${offer},x`,
    [offer, ...many.slice(1)].join(','),
    `${offer},${'1'.repeat(500)}`,
  ]) {
    const u = new URL(url);
    u.searchParams.set('offers', offers);
    const res = await click(u);
    t.is(res.status, 400, offers);
    t.like(await res.json(), { error: { code: 'INVALID_PARAMETER', fields: [{ field: 'offers' }] } });
  }
  const twice = new URL(`${url.toString()}&offers=${offer}`);
  t.is((await click(twice)).status, 400, 'offers given twice');
});

test('a link works until its exp, then answers 410 LINK_EXPIRED and records nothing', async (t) => {
  const c = clock('2026-12-01T00:00:00Z');
  const h = await startOfferwall(t, { now: c.now });
  const [first, second] = (await h.json<PersonalizedJson>(LIST)).body.offers;
  if (!first || !second) throw new Error('the demo wall has offers for u-1');
  c.set(new Date(c.now().getTime() + 30 * DAY - 1000));
  t.is((await click(first.click_url)).status, 302, 'a second before its expiry');
  c.set(new Date(c.now().getTime() + 1000));
  const res = await click(second.click_url);
  t.is(res.status, 410);
  t.like(await res.json(), { status: 'failure', error: { code: 'LINK_EXPIRED' } });
  const after = (await h.json<PersonalizedJson>(LIST)).body.offers;
  t.false(after.find((o) => o.offer_id === second.offer_id)?.in_progress);
});

test('a changed exp is 403 INVALID_SIGNATURE, not a longer life', async (t) => {
  const c = clock('2026-12-01T00:00:00Z');
  const h = await startOfferwall(t, { now: c.now });
  const offer = (await h.json<PersonalizedJson>(LIST)).body.offers[0];
  const url = new URL(offer?.click_url ?? '');
  const exp = Number(url.searchParams.get('exp'));
  for (const forged of [String(exp + 365 * 86_400), String(exp - 1), '']) {
    const tampered = new URL(url);
    if (forged) tampered.searchParams.set('exp', forged);
    else tampered.searchParams.delete('exp');
    const res = await click(tampered);
    t.is(res.status, 403, `exp=${forged}`);
    t.like(await res.json(), { error: { code: 'INVALID_SIGNATURE' } });
  }
  const bad = new URL(url);
  bad.searchParams.set('exp', 'soon');
  t.is((await click(bad)).status, 400);
});

test('links of the previous schemes (no exp) work until offerwall.legacyLinksUntil, then 410', async (t) => {
  const { vectors } = JSON.parse(readFileSync('test/fixtures/legacy-click-links.json', 'utf8')) as {
    vectors: { secret: string; link: { wallId: number; uid: string; offerId: number }; blake2s: string }[];
  };
  const v = vectors.find((x) => x.secret === CLICK_SECRET && x.link.offerId === 10161);
  if (!v) throw new Error('the fixture has a demo-wall link');
  const legacy = (sig: string) =>
    `/api/v1/click?wall=${v.link.wallId}&uid=${v.link.uid}&offer=${v.link.offerId}&sig=${sig}`;
  const c = clock('2026-12-30T23:59:59Z');
  const h = await startOfferwall(t, { now: c.now });
  t.is((await h.get(legacy(v.blake2s), { redirect: 'manual' })).status, 302);
  t.is((await h.get(legacy('0'.repeat(64)), { redirect: 'manual' })).status, 403);
  c.set(new Date('2026-12-31T00:00:00Z'));
  const res = await h.get(legacy(v.blake2s), { redirect: 'manual' });
  t.is(res.status, 410);
  t.like(await res.json(), { error: { code: 'LINK_EXPIRED' } });
});

test('offerwall.clickLinkTtl and legacyLinksUntil: defaults, values, and a bad duration located', async (t) => {
  const shipped = loadConfig({});
  t.is(shipped.offerwall.clickLinkTtlMs, 30 * DAY);
  t.is(shipped.offerwall.legacyLinksUntil.toISOString(), '2026-12-31T00:00:00.000Z');
  const dir = await tempDir(t, 'ttl');
  const file = path.join(dir, 'offerd.yaml');
  const write = (offerwall: string) =>
    writeFile(
      file,
      `offerwall: ${offerwall}\napps:\n  - id: a\n    name: A\n    status: active\n    keys: []\n` +
        `    offerwall: { clickSecret: c-0123456789abcdef, postbackSecret: p-0123456789abcdef }\n` +
        `    walls: [{ id: 1, publisherId: 1, catalog: ${DEMO_CATALOG} }]\n`,
    );
  await write("{ clickLinkTtl: 12h, legacyLinksUntil: '2027-01-15T12:00:00Z' }");
  const config = loadConfig({ OFFERD_CONFIG: file });
  t.is(config.offerwall.clickLinkTtlMs, 12 * 3_600_000);
  t.is(config.offerwall.legacyLinksUntil.toISOString(), '2027-01-15T12:00:00.000Z');
  await write("{ clickLinkTtl: 30 days, legacyLinksUntil: 'next year' }");
  const err = t.throws(() => loadConfig({ OFFERD_CONFIG: file }), { instanceOf: ConfigError });
  t.regex(err?.message ?? '', /offerd\.yaml:1:\d+ \/offerwall\/clickLinkTtl must match pattern/);
  t.regex(err?.message ?? '', /\/offerwall\/legacyLinksUntil must match format "date-time"/);
});

test('a short clickLinkTtl makes short-lived links', async (t) => {
  const c = clock('2026-12-01T00:00:00Z');
  const h = await startOfferwall(t, {
    now: c.now,
    overrides: { offerwall: { clickLinkTtlMs: 3_600_000, legacyLinksUntil: new Date(0) } },
  });
  const offer = (await h.json<PersonalizedJson>(LIST)).body.offers[0];
  t.is(new URL(offer?.click_url ?? '').searchParams.get('exp'), String(c.now().getTime() / 1000 + 3600));
  c.set(new Date(c.now().getTime() + 3_600_000));
  t.is((await click(offer?.click_url ?? '')).status, 410);
});

import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import path from 'node:path';
import test from 'ava';
import { ConfigError, loadConfig } from '../../../src/config/load-config.js';
import {
  DEMO_CATALOG,
  type PersonalizedJson,
  startOfferwall,
  tempDir,
} from '../../helpers/offerwall-service.js';

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

const click = (url: string | URL) => fetch(url, { redirect: 'manual' });

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

test('click links carry exp (now + 30 days) under an HMAC-SHA256 signature checked with node:crypto', async (t) => {
  const c = clock('2026-12-01T10:00:00.500Z');
  const h = await startOfferwall(t, { now: c.now });
  const { body } = await h.json<PersonalizedJson>(LIST);
  for (const o of body.offers) {
    const q = new URL(o.click_url).searchParams;
    t.deepEqual([...q.keys()], ['wall', 'uid', 'offer', 'sid3', 'exp', 'sig']);
    t.is(q.get('exp'), String(Math.floor((c.now().getTime() + 30 * DAY) / 1000)));
    const message = ['wall', 'uid', 'offer', 'sid3', 'exp'].map((k) => q.get(k)).join('\n');
    t.is(q.get('sig'), createHmac('sha256', CLICK_SECRET).update(message).digest('hex'));
  }
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

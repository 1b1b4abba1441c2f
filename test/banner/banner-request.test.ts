import test from 'ava';
import { BannerRequestParser } from '../../src/banner/banner-request.js';
import type { BannerSettings } from '../../src/banner/domain/banner-types.js';
import { parseSdkBatch } from '../../src/banner/sdk/sdk-events.js';
import { eventTimeMs, TrackBatchParser } from '../../src/banner/track-request.js';
import { AppError } from '../../src/http/app-error.js';

const settings: BannerSettings = {
  defaultPrizeKey: 'gems_500',
  prizeTypes: ['gems', 'coins'],
  languages: ['en'],
  fallbackLanguage: 'en',
  unknownCountry: 'ZZ',
  defaultBanner: { template: 'https://x/{prizeKey}', languages: ['en'] },
};

const banner = new BannerRequestParser();
const parser = new TrackBatchParser();
/** A /track body as the route reads it: its valid events and its rejected records. */
const track = {
  parse: (body: unknown, at: Date, values: ReadonlyMap<string, string> = new Map()) => {
    const batch = parseSdkBatch(body, at, { parser, values });
    return { events: batch.events.map((e) => e.event), rejected: batch.rejected };
  },
};

function fieldsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    if (err instanceof AppError) return err.fields.map((f) => f.field);
    throw err;
  }
  return [];
}

test('defaults: the app’s prizeKey, geo-IP only when no country was sent', (t) => {
  let geoCalls = 0;
  const geo = () => {
    geoCalls++;
    return 'AT';
  };
  const fromGeo = banner.parse({ userId: 'u', offerId: 12 }, settings, geo);
  t.like(fromGeo, {
    offerId: '12',
    prizeKey: 'gems_500',
    prizeKeySource: 'default',
    countryIso2: 'AT',
    countrySource: 'geoip',
  });
  const sent = banner.parse(
    { userId: 'u', offerId: '1', countryIso2: 'de', prizeKey: 'coins_1' },
    settings,
    geo,
  );
  t.like(sent, {
    countryIso2: 'DE',
    countrySource: 'request',
    prizeKey: 'coins_1',
    prizeKeySource: 'request',
  });
  t.is(geoCalls, 1);
  t.like(
    banner.parse({ userId: 'u', offerId: '1', countryIso2: null }, settings, () => null),
    {
      countryIso2: null,
      countrySource: 'unknown',
    },
  );
});

test('every other key is context, request fields are not', (t) => {
  const r = banner.parse(
    {
      userId: 'u',
      offerId: '1',
      postalCode: '10115',
      activeChamp: 'ahri',
      level: 3,
      vip: true,
      gear: { sword: 2 },
      tags: ['a'],
    },
    settings,
    () => null,
  );
  t.deepEqual(r.context, { activeChamp: 'ahri', level: 3, vip: true, gear: { sword: 2 }, tags: ['a'] });
  t.is(r.zipCode, '10115');
});

test('prizeTypes: a list from the enum (a bare string is a list of one), deduplicated', (t) => {
  t.deepEqual(
    banner.parse({ userId: 'u', offerId: '1', prizeTypes: 'gems' }, settings, () => null).prizeTypes,
    ['gems'],
  );
  t.deepEqual(
    banner.parse({ userId: 'u', offerId: '1', prizeTypes: ['gems', 'gems', 'coins'] }, settings, () => null)
      .prizeTypes,
    ['gems', 'coins'],
  );
  t.deepEqual(
    fieldsOf(() =>
      banner.parse({ userId: 'u', offerId: '1', prizeTypes: [1, 'gems', 'GEMS'] }, settings, () => null),
    ),
    ['prizeTypes[0]', 'prizeTypes[2]'],
  );
  t.deepEqual(
    fieldsOf(() => banner.parse({ userId: 'u', offerId: '1', prizeTypes: { a: 1 } }, settings, () => null)),
    ['prizeTypes'],
  );
});

test('zipCode and postalCode: either, the same if both, numbers accepted', (t) => {
  t.is(banner.parse({ userId: 'u', offerId: '1', zipCode: 80331 }, settings, () => null).zipCode, '80331');
  t.is(
    banner.parse(
      { userId: 'u', offerId: '1', zipCode: 'SW1A 1AA', postalCode: 'SW1A 1AA' },
      settings,
      () => null,
    ).zipCode,
    'SW1A 1AA',
  );
  t.deepEqual(
    fieldsOf(() =>
      banner.parse({ userId: 'u', offerId: '1', zipCode: '1', postalCode: '2' }, settings, () => null),
    ),
    ['postalCode'],
  );
});

test('$anonymous, the shared user of events sent without an id, is refused as a banner user', (t) => {
  t.deepEqual(
    fieldsOf(() => banner.parse({ userId: '$anonymous', offerId: '1' }, settings, () => null)),
    ['userId'],
  );
  t.is(banner.parse({ userId: '$anonymous2', offerId: '1' }, settings, () => null).userId, '$anonymous2');
});

test('ids: no control characters, bounded length; offerId must be finite', (t) => {
  t.deepEqual(
    fieldsOf(() => banner.parse({ userId: 'a\nb', offerId: 'x'.repeat(129) }, settings, () => null)),
    ['userId', 'offerId'],
  );
  t.deepEqual(
    fieldsOf(() => banner.parse({ userId: 'u', offerId: true }, settings, () => null)),
    ['offerId'],
  );
  t.deepEqual(
    fieldsOf(() => banner.parse({ userId: 'u', offerId: '1', occasion: 'Level Up!' }, settings, () => null)),
    ['occasion'],
  );
  t.is(
    banner.parse({ userId: 'u', offerId: '1', occasion: 'LEVEL_UP' }, settings, () => null).occasion,
    'level_up',
  );
});

test('context: at most 100 keys, nesting at most 8 levels', (t) => {
  const wide = Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`k${i}`, i]));
  t.deepEqual(
    fieldsOf(() => banner.parse({ userId: 'u', offerId: '1', ...wide }, settings, () => null)),
    ['body'],
  );
  let deep: unknown = 1;
  for (let i = 0; i < 9; i++) deep = { d: deep };
  t.deepEqual(
    fieldsOf(() => banner.parse({ userId: 'u', offerId: '1', deep }, settings, () => null)),
    ['deep'],
  );
});

test('track: time in seconds or milliseconds; the link from kibotuMetadata; ids as strings', (t) => {
  t.is(eventTimeMs(1732350000), 1732350000000);
  t.is(eventTimeMs(1732350000123), 1732350000123);
  t.is(eventTimeMs(1732350000.5), 1732350000500);
  const at = new Date('2026-11-20T12:00:00Z');
  const { events } = track.parse(
    [
      {
        event: 'SpecialOfferPopupPurchased',
        properties: {
          distinct_id: 42,
          time: 1732350000,
          token: 'demo-key',
          kibotuMetadata: { renderId: 'r', experimentId: 'e', variationId: 2 },
        },
      },
      { event: 'AppStart', properties: { distinct_id: 'u', kibotuMetadata: null } },
    ],
    at,
  );
  t.deepEqual(events, [
    {
      userId: '42',
      name: 'SpecialOfferPopupPurchased',
      time: 1732350000000,
      receivedAt: at.toISOString(),
      renderId: 'r',
      experimentId: 'e',
      variationId: 2,
      value: null,
    },
    {
      userId: 'u',
      name: 'AppStart',
      time: null,
      receivedAt: at.toISOString(),
      renderId: null,
      experimentId: null,
      variationId: null,
      value: null,
    },
  ]);
});

test('track: the value is the declared property when a finite number >= 0; anything else is no value, the event still kept', (t) => {
  const purchase = (revenue: unknown, event = 'Purchase') => ({
    event,
    properties: { distinct_id: 'buyer', revenue, price: 3 },
  });
  const { events } = track.parse(
    [
      purchase(9.99),
      purchase(0),
      purchase('9.99'),
      purchase(-5),
      purchase(Number.POSITIVE_INFINITY),
      purchase(Number.NaN),
      purchase(null),
      purchase(7, 'AppStart'),
    ],
    new Date('2026-11-20T12:00:00Z'),
    new Map([['Purchase', 'revenue']]),
  );
  t.deepEqual(
    events.map((e) => [e.name, e.value]),
    [
      ['Purchase', 9.99],
      ['Purchase', 0],
      ['Purchase', null],
      ['Purchase', null],
      ['Purchase', null],
      ['Purchase', null],
      ['Purchase', null],
      ['AppStart', null],
    ],
  );
});

test('track: every problem of the batch is named by index and field; the valid events are kept', (t) => {
  const { events, rejected } = track.parse(
    [
      'AppStart',
      { event: 'constructor', properties: { distinct_id: 'u' } },
      { event: 'x' },
      {
        event: 'x',
        properties: { distinct_id: 'u', time: -5, kibotuMetadata: { variationId: 1.5, renderId: 7 } },
      },
      { event: '$create_alias', properties: { distinct_id: 'u' } },
      { event: 'kept', properties: {} },
    ],
    new Date(),
  );
  t.deepEqual(
    rejected.map((r) => `[${r.index}]${r.field ? `.${r.field}` : ''}`),
    [
      '[0]',
      '[1].event',
      '[2].properties',
      '[3].properties.time',
      '[3].properties.kibotuMetadata.variationId',
      '[3].properties.kibotuMetadata.renderId',
      '[4].properties.alias',
    ],
  );
  t.deepEqual(
    events.map((e) => [e.name, e.userId]),
    [['kept', '$anonymous']],
  );
});

test('track: a body that is no batch is refused whole, naming the body', (t) => {
  const at = new Date();
  const event = { event: 'x', properties: {} };
  for (const body of ['AppStart', 3, null, [], Array.from({ length: 51 }, () => event)]) {
    t.deepEqual(
      fieldsOf(() => track.parse(body, at)),
      ['body'],
      JSON.stringify(body).slice(0, 40),
    );
  }
  t.is(track.parse(event, at).events.length, 1, 'a single event is a batch of one');
});

import test from 'ava';
import {
  fillTemplate,
  imageLanguage,
  isHttpUrlTemplate,
  unknownPlaceholders,
} from '../../../src/banner/domain/image-template.js';
import { toCountryCode, toLanguageCode } from '../../../src/banner/domain/iso-codes.js';

const values = {
  prizeKey: 'gems 500/x',
  languageIso2: 'de',
  countryIso2: 'DE',
  offerId: '8622',
  experimentId: 'spring',
  variationId: '2',
};

test('placeholders are filled URL-encoded, so a value cannot change the URL shape', (t) => {
  t.is(
    fillTemplate(
      'https://cdn.example/{experimentId}/{variationId}/{countryIso2}/{prizeKey}_{languageIso2}.png?o={offerId}',
      values,
    ),
    'https://cdn.example/spring/2/DE/gems%20500%2Fx_de.png?o=8622',
  );
});

test('unknown placeholders are reported and left alone', (t) => {
  t.deepEqual(unknownPlaceholders('https://x/{prizeKey}/{level}/{}.png'), ['level', '']);
  t.is(fillTemplate('https://x/{level}.png', values), 'https://x/{level}.png');
});

test('only absolute http(s) templates are accepted', (t) => {
  t.true(isHttpUrlTemplate('https://cdn.example/{prizeKey}.png'));
  t.true(isHttpUrlTemplate('http://cdn.example/a.png'));
  t.false(isHttpUrlTemplate('/relative/{prizeKey}.png'));
  t.false(isHttpUrlTemplate('javascript:alert(1)'));
  t.false(isHttpUrlTemplate('{prizeKey}'));
});

test('the image language is the requested one if the image exists in it, else the fallback', (t) => {
  const image = { template: 'https://x', languages: ['en', 'de'] };
  t.is(imageLanguage(image, 'de', 'en'), 'de');
  t.is(imageLanguage(image, 'fr', 'en'), 'en');
  t.is(imageLanguage(image, null, 'en'), 'en');
});

test('ISO code lists: real codes in any case, nothing else', (t) => {
  t.is(toCountryCode('de'), 'DE');
  t.is(toCountryCode('GB'), 'GB');
  t.is(toCountryCode('XK'), 'XK');
  t.is(toCountryCode('Germany'), null);
  t.is(toCountryCode('UK'), null, 'UK is not the ISO code of the United Kingdom');
  t.is(toCountryCode('ZZ'), null);
  t.is(toLanguageCode('DE'), 'de');
  t.is(toLanguageCode('zu'), 'zu');
  t.is(toLanguageCode('german'), null);
  t.is(toLanguageCode('bh'), null, 'withdrawn from ISO 639-1');
  t.is(toLanguageCode('xx'), null);
});

test('a template filler fills as one regex replace over the template would, on 2,000 random templates', (t) => {
  const reference = (template: string, v: Record<string, string>) =>
    template.replace(/\{([^{}]*)\}/g, (whole, name: string) =>
      Object.hasOwn(v, name) ? encodeURIComponent(v[name] as string) : whole,
    );
  const pieces = [
    'https://x/',
    '{prizeKey}',
    '{offerId}',
    '{level}',
    '{}',
    '{',
    '}',
    '{{variationId}}',
    '_',
    'é/',
  ];
  let n = 5;
  const rand = (k: number) => {
    n = (n * 1103515245 + 12345) % 2 ** 31;
    return n % k;
  };
  for (let i = 0; i < 2000; i++) {
    const template = Array.from({ length: rand(9) }, () => pieces[rand(pieces.length)]).join('');
    t.is(fillTemplate(template, values), reference(template, values), template);
  }
});

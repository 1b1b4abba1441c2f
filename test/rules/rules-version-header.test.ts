import test from 'ava';
import { headerText } from '../../src/http/set-header.js';
import { MAX_RULES_VERSION_HEADER, rulesVersionHeader } from '../../src/rules/app-rules.js';

const hash = '0123456789ab';
/** What setHeader sends for the rules' X-Rules-Version. */
const sent = (version: string) => headerText(rulesVersionHeader({ appId: 'studio-app', version, hash }));

test('X-Rules-Version names every file version while it fits', (t) => {
  t.is(sent('banner:3,offerwall:7'), `studio-app;version=banner:3,offerwall:7;hash=${hash}`);
});

test('X-Rules-Version of an app with many rule files still ends with the hash that names its rules', (t) => {
  const version = Array.from({ length: 60 }, (_, i) => `banner-segments-${i}:${i + 1}`).join(',');
  const value = sent(version);
  t.true(value.length <= MAX_RULES_VERSION_HEADER, `${value.length} characters`);
  t.true(value.endsWith(`...;hash=${hash}`), value.slice(-40));
  t.true(value.startsWith('studio-app;version=banner-segments-0:1,banner-segments-1:2,'));
});

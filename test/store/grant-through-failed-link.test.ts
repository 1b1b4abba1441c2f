/**
 * A special-offer grant for an id whose link is still being written: the grant is filed under
 * the player the id resolves to once the link is on disk — or, when that write fails, under the
 * id itself. Filed through the link before, a failed link write left the grant with a player the
 * id no longer resolved to, and the id was granted the offer again past its limit. The disk's
 * failure is a rename that fails while the link is written (its own file, so its own test worker).
 */
import test from 'ava';
import { openDocumentStore } from '../../src/apis.js';
import { replaceFsFunction } from '../helpers/fail-disk.js';
import { tempDir } from '../helpers/temp-dir.js';

const APP = 'demo';
const AT = new Date('2026-12-06T05:00:00.000Z');
const ONCE = { cooldownMs: null, maxPerUser: 1 };

test('a grant waits for the link it resolves through; when that write fails, it is the id’s own', async (t) => {
  const store = await openDocumentStore(await tempDir(t));
  t.teardown(() => store.close());
  let failing = true;
  replaceFsFunction(t, 'rename', (rename) => async (from, to) => {
    if (failing)
      throw Object.assign(new Error('ENOSPC: no space left on device, rename'), { code: 'ENOSPC' });
    return rename(from, to);
  });

  const linking = store.profiles.alias(APP, 'device-1', 'player-1');
  const refused = t.throwsAsync(linking, { message: /ENOSPC/ });
  void linking.catch(() => {
    failing = false;
  });
  t.deepEqual(await store.profiles.grant(APP, 'device-1', 'offer-1', AT, ONCE, 'predict-1'), AT);
  await refused;

  t.is(await store.profiles.resolve(APP, 'device-1'), 'device-1', 'the failed link is not in memory');
  t.is((await store.profiles.grantsFor(APP, 'device-1', ['offer-1'], 'predict-1')).length, 1);
  t.is(
    await store.profiles.grant(APP, 'device-1', 'offer-1', AT, ONCE, 'predict-2'),
    null,
    'granted once: the limit holds',
  );
});

import { spawnSync } from 'node:child_process';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import test, { type ExecutionContext } from 'ava';
import { failDisk } from '../../helpers/fail-disk.js';
import { startTestService, type TestService } from '../../helpers/start-test-service.js';
import { tempDir } from '../../helpers/temp-dir.js';

const JSON_HEADERS = { 'content-type': 'application/json' };

/** One write of each API that stores something, with the status and body it got. */
async function writes(s: TestService, user: string) {
  const answer = async (res: Response) => ({ status: res.status, body: await res.json() });
  return {
    journeys: await answer(
      await s.fetch('/v1/user-journeys/users', {
        method: 'POST',
        headers: { ...JSON_HEADERS, 'X-API-Key': 'pk_test_demo' },
        body: JSON.stringify({ externalId: user }),
      }),
    ),
    banner: await answer(
      await s.fetch('/getPersonalizedBanner', {
        method: 'POST',
        headers: { ...JSON_HEADERS, Authorization: 'demo-key' },
        // A champion player is enrolled in champion-spotlight: the assignment is stored before the
        // answer (a render of no experiment writes only counters, later, and answers 200).
        body: JSON.stringify({ userId: user, offerId: '8622', countryIso2: 'DE', activeChamp: 'ahri' }),
      }),
    ),
    track: await answer(
      await s.fetch('/track?verbose=1', {
        method: 'POST',
        headers: { ...JSON_HEADERS, Authorization: 'demo-key' },
        body: JSON.stringify([{ event: 'login', properties: { distinct_id: user, token: 'demo-key' } }]),
      }),
    ),
  };
}

const readiness = async (s: TestService) => {
  const res = await s.fetch('/readyz');
  return { status: res.status, body: (await res.json()) as { status: string; reason?: string } };
};

/** Each write refused as the store's 503 in its API's own envelope, never a 500. */
function assertRefused(t: ExecutionContext, w: Awaited<ReturnType<typeof writes>>): void {
  const message = 'The store cannot write to its disk (full, read-only or not writable); retry later';
  t.is(w.journeys.status, 503);
  t.deepEqual(w.journeys.body, { status: 'error', code: 503, message });
  t.is(w.banner.status, 503);
  t.like(w.banner.body, { code: 'STORE_UNAVAILABLE', message });
  t.is(w.track.status, 503, 'a 503 the SDKs retry, not a 500');
  t.deepEqual(w.track.body, { status: 0, error: message });
}

function assertStored(t: ExecutionContext, w: Awaited<ReturnType<typeof writes>>): void {
  t.is(w.journeys.status, 200);
  t.is(w.banner.status, 200);
  t.deepEqual(w.track.body, { status: 1, error: null });
}

/** A small tmpfs mounted at a fresh dir, unmounted when the test ends; null where mount is not allowed. */
async function smallDisk(t: ExecutionContext): Promise<string | null> {
  if (process.getuid?.() !== 0) return null;
  const dir = await tempDir(t, 'offerd-small-disk-');
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=4m', 'tmpfs', dir], { encoding: 'utf8' });
  if (r.status !== 0) return null;
  // Registered after the service's stop (which the test registers later, so it runs first).
  t.teardown(() => void spawnSync('umount', ['-l', dir]));
  return dir;
}

test.serial(
  'a full disk: each write is a 503 in its API envelope, /readyz says full, and both recover when space is freed',
  async (t) => {
    const disk = await smallDisk(t);
    if (disk === null) {
      // Mounting needs root (CI here runs as root); the read-only case below runs everywhere.
      t.log('skipped: a tmpfs cannot be mounted here');
      t.pass();
      return;
    }
    const data = path.join(disk, 'data');
    await mkdir(data);
    const s = await startTestService(t, { env: { OFFERD_DATA_DIR: data } });
    t.deepEqual((await readiness(s)).body, { status: 'ready' });

    const filler = path.join(disk, 'filler');
    // Fills the tmpfs: the write fails with ENOSPC once it is full, which is the point.
    await writeFile(filler, Buffer.alloc(8 * 1024 * 1024)).catch(() => undefined);
    const full = await readiness(s);
    t.is(full.status, 503);
    t.regex(full.body.reason ?? '', /^the data dir's disk is full \(\d+ KB left\)$/);
    assertRefused(t, await writes(s, 'u-full'));

    await rm(filler);
    t.deepEqual((await readiness(s)).body, { status: 'ready' });
    assertStored(t, await writes(s, 'u-full'));
    // The refused creation left nothing behind: the user is there once, created by the retry.
    const user = await s.fetch('/v1/user-journeys/users/u-full', {
      headers: { 'X-API-Key': 'pk_test_demo' },
    });
    t.is(user.status, 200);
  },
);

test.serial(
  'a data dir that refuses writes: each write is a 503, not a 500, and /readyz says it cannot be written',
  async (t) => {
    const data = await tempDir(t, 'offerd-readonly-data-');
    const s = await startTestService(t, { env: { OFFERD_DATA_DIR: data } });
    const diskBack = await failDisk(t, data);
    const refused = await readiness(s);
    t.is(refused.status, 503);
    t.regex(refused.body.reason ?? '', /^the data dir cannot be written \((EPERM|EACCES)\)$/);
    assertRefused(t, await writes(s, 'u-ro'));
    await diskBack();
    t.deepEqual((await readiness(s)).body, { status: 'ready' });
    assertStored(t, await writes(s, 'u-ro'));
  },
);

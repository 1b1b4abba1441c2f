import test, { type ExecutionContext } from 'ava';
import fc from 'fast-check';
import {
  adminRequests,
  bannerRequests,
  journeysRequests,
  offerwallRequests,
  trackRequests,
  unknownRequests,
  type World,
  withMalformed,
} from './families.js';
import type { FuzzRequest, FuzzService } from './harness.js';
import { FUZZ_RUNS, FUZZ_SURVEY, fuzzFamily, startWorld } from './run-family.js';

/**
 * Property-based fuzzing of every API family (see test/fuzz/README.md): FUZZ_RUNS
 * generated requests per family (default 500 here, 10,000 with `npm run fuzz`),
 * FUZZ_SEED / FUZZ_PATH to replay. A violation fails the test with fast-check's seed,
 * path and the shrunk request.
 */

// One seeded service for the whole file: starting and seeding one takes ~3 s. A replay
// (FUZZ_SEED, FUZZ_PATH, --match one family) gets a fresh one; the families before it
// only added what their accepted requests store.
let shared: { fuzz: FuzzService; world: World } | undefined;
test.before(async () => {
  shared = await startWorld();
});
test.after.always(() => shared?.fuzz.stop());

async function run(
  t: ExecutionContext,
  name: string,
  arbitrary: (w: World) => fc.Arbitrary<FuzzRequest>,
  runs = FUZZ_RUNS,
) {
  // ~20–40 ms a request on 2 shared cores; the reduced run stays well inside AVA's 60 s.
  t.timeout(Math.max(60_000, runs * 150));
  const outcome = await fuzzFamily(name, arbitrary, runs, shared);
  // A failure's report is the assertion message below; a passing run logs its figures.
  if (!outcome.failed) t.log(outcome.report);
  if (FUZZ_SURVEY) {
    t.pass();
    return;
  }
  t.false(outcome.failed, outcome.report);
  t.is(outcome.memoryProblem, null, `memory: ${outcome.memoryProblem}`);
  t.true(outcome.requests >= runs, `${outcome.requests} requests, expected at least ${runs}`);
}

test.serial('fuzz: banner API (getPersonalizedBanner and /track)', (t) =>
  run(t, 'banner', () =>
    withMalformed(
      'banner',
      '/getPersonalizedBanner',
      // Half and half: the banner body and the SDK's /track batch.
      fc.oneof(bannerRequests(), trackRequests()),
    ),
  ),
);

test.serial('fuzz: offerwall API (personalized, click, postback)', (t) =>
  run(t, 'offerwall', (w) =>
    withMalformed('offerwall', '/api/v1/users/u-1/personalized', offerwallRequests(w)),
  ),
);

test.serial('fuzz: journeys API', (t) =>
  run(t, 'journeys', (w) => withMalformed('journeys', '/v1/user-journeys/users', journeysRequests(w))),
);

test.serial('fuzz: admin API, every spelling of /admin', (t) =>
  run(t, 'admin', () => withMalformed('admin', '/admin/rules', adminRequests())),
);

test.serial('fuzz: paths outside every API', (t) =>
  run(t, 'unknown', () => withMalformed('unknown', '/nope', unknownRequests()), Math.ceil(FUZZ_RUNS / 5)),
);

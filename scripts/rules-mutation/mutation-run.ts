import { cp, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startOfferdProcess, unscheduledConfig } from '../../test/helpers/offerd-process.js';
import { AdminClient as Admin, type AdminClient, type AppStatus } from './admin-client.js';
import { AppDir } from './app-dir.js';
import { BAD_EDITS, type EditContext } from './bad-edits.js';
import { Random } from './random.js';
import { API_CALLS, type ApiName, createJourneysUsers, Traffic, type TrafficFigures } from './traffic.js';
import { type Expectation, VALID_EDITS } from './valid-edits.js';

export interface MutationOptions {
  edits: number;
  seed: number;
  /** Share of edits that are valid; the rest are bad. */
  validShare?: number;
  /** Share of edits left to the file watcher instead of POST /admin/rules/reload. */
  watchShare?: number;
  log?: (line: string) => void;
}

export interface MutationReport {
  seed: number;
  edits: number;
  /** Edits tried per category (bad ones and valid ones); a stacked bad edit counts each part. */
  tried: Record<string, number>;
  stacked: number;
  byTrigger: { reload: number; watch: number };
  traffic: TrafficFigures;
  failedRequests: number;
  brokenVersionsLive: number;
  validEditsNotLive: number;
  /** Watcher edits whose reload never showed in /admin/rules within 5 s. */
  watcherMissed: number;
  /** Refused edits whose error /admin/rules did not show, or showed without a file. */
  errorsNotReported: number;
  /** Restores of the last good files that did not show the last good version and no error. */
  restoreFailures: number;
  /** Admin calls answered with anything but 200/422. */
  adminErrors: number;
  serviceCrashed: boolean;
  /** From the start to the first edit: copying rules, starting the service, its first load. */
  startupMs: number;
  durationMs: number;
  notes: string[];
  ok: boolean;
}

const WATCH_TIMEOUT_MS = 5000;
const inVersion = (version: string, e: Expectation) => {
  const entries = version.split(',');
  return e.absent ? !entries.some((v) => v.startsWith(e.version)) : entries.includes(e.version);
};

/** The running state of one suite run: the service, the app's files, what is good, the counts. */
class Run {
  readonly report: MutationReport;
  private good: { version: string; hash: string } = { version: '', hash: '' };
  private readonly goodHashes = new Set<string>();

  constructor(
    readonly options: Required<MutationOptions>,
    private readonly url: string,
    private readonly admin: AdminClient,
    private readonly app: AppDir,
    private readonly random: Random,
    traffic: TrafficFigures,
  ) {
    this.report = {
      seed: options.seed,
      edits: options.edits,
      tried: {},
      stacked: 0,
      byTrigger: { reload: 0, watch: 0 },
      traffic,
      failedRequests: 0,
      brokenVersionsLive: 0,
      validEditsNotLive: 0,
      watcherMissed: 0,
      errorsNotReported: 0,
      restoreFailures: 0,
      adminErrors: 0,
      serviceCrashed: false,
      startupMs: 0,
      durationMs: 0,
      notes: [],
      ok: false,
    };
  }

  note(line: string): void {
    if (this.report.notes.length < 30) this.report.notes.push(line);
  }

  async init(): Promise<void> {
    const s = await this.admin.status();
    if (!s.active) throw new Error('the service started without active rules');
    this.setGood(s.active);
    await this.app.keepAsGood();
  }

  private setGood(active: { version: string; hash: string }): void {
    this.good = { version: active.version, hash: active.hash };
    this.goodHashes.add(active.hash);
  }

  isGoodHash(hash: string): boolean {
    return this.goodHashes.has(hash);
  }

  private count(category: string): void {
    this.report.tried[category] = (this.report.tried[category] ?? 0) + 1;
  }

  private async reload(expect: number[]): Promise<number> {
    const r = await this.admin.reload();
    if (!expect.includes(r.status)) {
      if (r.status !== 200 && r.status !== 422) this.report.adminErrors++;
      this.note(`reload answered ${r.status} (expected ${expect.join('/')}): ${r.body.slice(0, 300)}`);
    }
    return r.status;
  }

  async step(n: number): Promise<void> {
    const watch = this.random.chance(this.options.watchShare);
    this.report.byTrigger[watch ? 'watch' : 'reload']++;
    if (this.random.chance(this.options.validShare)) await this.validEdit(n, watch);
    else await this.badEdit(n, watch);
  }

  private ctx(n: number): EditContext {
    return { app: this.app, random: this.random, n };
  }

  private async applyBad(n: number): Promise<string> {
    for (;;) {
      const edit = this.random.pick(BAD_EDITS);
      if (await edit.apply(this.ctx(n))) {
        this.count(edit.category);
        return edit.category;
      }
    }
  }

  private async badEdit(n: number, watch: boolean): Promise<void> {
    const before = (await this.admin.status()).lastError?.at ?? null;
    const what = [await this.applyBad(n)];
    // A copy of a segments file plus the original deleted is a valid app again: never stacked.
    if (!watch && what[0] !== 'duplicated-file' && this.random.chance(0.15)) {
      this.report.stacked++;
      what.push(await this.applyBad(n + 0.5));
    }
    let status: AppStatus;
    if (watch) {
      const waited = await this.admin.waitFor(
        (s) => s.lastError !== null && s.lastError.at !== before,
        WATCH_TIMEOUT_MS,
      );
      if (!waited.ok) {
        this.report.watcherMissed++;
        this.note(`edit ${n} (${what.join('+')}, watcher): no refused reload within ${WATCH_TIMEOUT_MS} ms`);
      }
      status = waited.status;
    } else {
      await this.reload([422]);
      status = await this.admin.status();
    }
    this.checkRefused(n, `${what.join('+')}${watch ? ', watcher' : ''}`, status);
    await this.restore(n);
  }

  private checkRefused(n: number, what: string, s: AppStatus): void {
    if (s.active?.hash !== this.good.hash) {
      this.report.brokenVersionsLive++;
      this.note(`edit ${n} (${what}): went live as ${s.active?.version} ${s.active?.hash}`);
    }
    const problems = s.lastError?.problems ?? [];
    if (problems.length === 0 || problems.some((p) => !/(^|\/)demo(\/|:)/.test(p))) {
      this.report.errorsNotReported++;
      this.note(`edit ${n} (${what}): error shown as ${JSON.stringify(problems).slice(0, 300)}`);
    }
  }

  private async restore(n: number): Promise<void> {
    await this.app.restore();
    for (let attempt = 0; attempt < 3; attempt++) {
      await this.reload([200]);
      const s = await this.admin.status();
      if (s.active?.hash === this.good.hash && s.lastError === null) return;
      // A watcher reload that read the files halfway through the restore can leave an error behind.
      await sleep(300);
    }
    this.report.restoreFailures++;
    this.note(`edit ${n}: the restored files did not show as the last good version without an error`);
  }

  private async validEdit(n: number, watch: boolean): Promise<void> {
    let category = '';
    let expect: Expectation | null = null;
    while (!expect) {
      const edit = this.random.pick(VALID_EDITS);
      expect = await edit.apply(this.ctx(n));
      category = edit.category;
    }
    this.count(category);
    const changed = (s: AppStatus) =>
      s.active !== null && s.active.hash !== this.good.hash && inVersion(s.active.version, expect);
    let s: AppStatus;
    if (watch) s = (await this.admin.waitFor(changed, WATCH_TIMEOUT_MS)).status;
    else {
      await this.reload([200]);
      s = await this.admin.status();
    }
    const served =
      changed(s) && s.lastError === null && s.active ? await this.served(s.active, expect) : 'not active';
    if (served !== null || !s.active) {
      this.report.validEditsNotLive++;
      this.note(
        `edit ${n} (${category}${watch ? ', watcher' : ''}): ${served} (active ${s.active?.version})`,
      );
      await this.restore(n);
      return;
    }
    this.setGood(s.active);
    await this.app.keepAsGood();
  }

  /** Null when every API serves `active`, and the banner shows the expected image; else what differs. */
  private async served(
    active: { version: string; hash: string },
    expect: Expectation,
  ): Promise<string | null> {
    const header = `demo;version=${active.version};hash=${active.hash}`;
    for (const api of Object.keys(API_CALLS) as ApiName[]) {
      const res = await API_CALLS[api](this.url, 'u-1');
      const body = await res.text();
      if (!res.ok) return `${api} answered ${res.status}`;
      if (res.headers.get('x-rules-version') !== header)
        return `${api} served ${res.headers.get('x-rules-version')}, not ${header}`;
      if (api === 'banner' && expect.bannerImage && !body.includes(expect.bannerImage))
        return `banner image is not the new one: ${body.slice(0, 200)}`;
    }
    return null;
  }
}

/**
 * Starts offerd (a real process, watcher on) on a copy of rules/, makes `edits` random
 * edits of its rule files under continuous traffic, and counts what went wrong.
 */
export async function runRulesMutation(options: MutationOptions): Promise<MutationReport> {
  const opts = { validShare: 0.2, watchShare: 0.15, log: () => undefined, ...options };
  const started = performance.now();
  const root = await mkdtemp(path.join(os.tmpdir(), 'offerd-mutate-'));
  const rulesDir = path.join(root, 'rules');
  await cp('rules', rulesDir, { recursive: true });
  const service = await startOfferdProcess({
    OFFERD_CONFIG: await unscheduledConfig(path.join(root, 'config')),
    OFFERD_RULES_DIR: rulesDir,
    OFFERD_STORE: 'memory',
    OFFERD_DATA_DIR: path.join(root, 'data'),
    LOG_LEVEL: 'fatal',
    // Its "valid" edits (another default image...) change what the shipped fixtures expect:
    // this run is about reload mechanics, the fixtures gate has its own tests.
    OFFERD_FIXTURES_GATE: '0',
  });
  const traffic = new Traffic(service.url);
  try {
    await createJourneysUsers(service.url);
    const app = new AppDir(path.join(rulesDir, 'demo'), path.join(root, 'good'));
    const run = new Run(
      opts,
      service.url,
      new Admin(service.url),
      app,
      new Random(opts.seed),
      traffic.figures,
    );
    await run.init();
    run.report.startupMs = Math.round(performance.now() - started);
    traffic.start();
    for (let n = 1; n <= opts.edits; n++) {
      await run.step(n);
      if (service.child.exitCode !== null) break;
      if (n % 100 === 0) opts.log(`  ${n} edits, ${Math.round((performance.now() - started) / 1000)} s`);
    }
    await traffic.stop();
    return finish(run, service.child.exitCode !== null, started, service.output());
  } finally {
    await traffic.stop();
    await service.stop();
    await rm(root, { recursive: true, force: true });
  }
}

function finish(run: Run, crashed: boolean, started: number, output: string): MutationReport {
  const r = run.report;
  r.serviceCrashed = crashed;
  if (crashed) run.note(`the service exited:\n${output.slice(-2000)}`);
  for (const [hash, times] of r.traffic.hashesSeen) {
    if (run.isGoodHash(hash)) continue;
    r.brokenVersionsLive++;
    run.note(`API responses named rules hash ${hash} (${times}×), never a good version`);
  }
  r.failedRequests = Object.values(r.traffic.failed).reduce((a, b) => a + b, 0);
  r.durationMs = Math.round(performance.now() - started);
  const zero = [
    r.failedRequests,
    r.traffic.notReadySamples,
    r.brokenVersionsLive,
    r.validEditsNotLive,
    r.watcherMissed,
    r.errorsNotReported,
    r.restoreFailures,
    r.adminErrors,
  ];
  r.ok = !crashed && zero.every((x) => x === 0);
  return r;
}

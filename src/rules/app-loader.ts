import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { ValidateFunction } from 'ajv';
import type { AppRules } from './app-rules.js';
import { CompileContext } from './compile-context.js';
import { deepFreeze } from './deep-freeze.js';
import { brokenAppFolder, dirEntries } from './dir-entries.js';
import { displayPath } from './display-path.js';
import { DecisionCacheStats } from './engine/decision-cache.js';
import { checkUnusedSegmentFacts } from './fact-catalogue.js';
import { compileSegments } from './kinds/segments.js';
import type { Problem } from './problems.js';
import type { RuleFile } from './rule-file.js';
import type { AnyRuleKind } from './rule-kind.js';
import {
  appSizeProblem,
  MAX_APP_RULE_ITEMS,
  MAX_RULE_FILE_BYTES,
  oversizeMessage,
  textProblem,
  tooManyItemsMessage,
} from './rule-text-limits.js';
import { createAjv, validateAt } from './schemas/ajv.js';
import { envelopeSchema } from './schemas/common.js';
import { segmentsSchema } from './schemas/segments.js';
import { YamlSource } from './yaml-source.js';

export type LoadResult = { ok: true; rules: AppRules } | { ok: false; problems: Problem[] };

/** Raw files of one app: what the loader reads and the registry hashes to skip no-op reloads. */
export interface AppFiles {
  appId: string;
  /**
   * `oversize`: the size of a file over MAX_RULE_FILE_BYTES, which was not read (its text is '').
   * `unread`: the size of a file not read because the app's files together are more than an
   * app may have (appSizeProblem); its text is ''.
   * `broken`: a rule file that is a symbolic link to nothing, why (its text is '').
   */
  files: { path: string; text: string; oversize?: number; unread?: number; broken?: string }[];
}

export const RULE_FILE = /\.ya?ml$/;

/** Reads `dir/<appId>/*.yaml` (not the `tests/` fixtures below it), sorted by name. */
export async function readAppFiles(rulesDir: string, appId: string): Promise<AppFiles> {
  const dir = path.join(rulesDir, appId);
  const brokenDir = brokenAppFolder(dir);
  if (brokenDir) throw new Error(brokenDir);
  // Symbolic links followed (a ConfigMap's files are links into ..data/); one to nothing is a problem.
  const entries = (await dirEntries(dir)).filter(
    (e) => (e.kind === 'file' || e.kind === 'broken') && RULE_FILE.test(e.name),
  );
  const broken = new Map(entries.flatMap((e) => (e.kind === 'broken' ? [[e.name, e.problem]] : [])));
  const names = entries.map((e) => e.name).sort();
  // Read synchronously: rule files are small and local, and under load every await of an
  // async read queues behind the requests in flight (a reload took ~150 ms longer that way).
  // Sized first: an app over its bounds is refused without reading any of its files.
  const sized = names.map((name) => {
    const full = path.join(dir, name);
    const problem = broken.get(name);
    // A link to nothing cannot be sized: it is reported as such and counts 0 bytes.
    return { full, path: displayPath(full), bytes: problem ? 0 : statSync(full).size, broken: problem };
  });
  // A file over its own cap is refused as such, unread: it counts nothing towards the app's.
  const counted = sized.map((f) => ({ path: f.path, bytes: f.bytes > MAX_RULE_FILE_BYTES ? 0 : f.bytes }));
  if (appSizeProblem(counted)) {
    const unread = (f: (typeof sized)[number]) =>
      f.broken !== undefined
        ? { broken: f.broken }
        : f.bytes > MAX_RULE_FILE_BYTES
          ? { oversize: f.bytes }
          : { unread: f.bytes };
    return { appId, files: sized.map((f) => ({ path: f.path, text: '', ...unread(f) })) };
  }
  const files = sized.map(({ full, path: shown, bytes, broken: problem }) => {
    if (problem !== undefined) return { path: shown, text: '', broken: problem };
    if (bytes > MAX_RULE_FILE_BYTES) return { path: shown, text: '', oversize: bytes };
    return { path: shown, text: readFileSync(full, 'utf8') };
  });
  return { appId, files };
}

/** The bytes of each file as read or sized (none for a file over its own cap): what appSizeProblem holds an app to. */
function fileSizes(app: AppFiles): { path: string; bytes: number }[] {
  return app.files.map((f) => ({
    path: f.path,
    bytes: f.oversize !== undefined ? 0 : (f.unread ?? Buffer.byteLength(f.text)),
  }));
}

/**
 * Where the app's items (the entries of the lists right under each file's `spec`: segments,
 * rules, banners...) pass MAX_APP_RULE_ITEMS, as a problem at the first one too many.
 */
function tooManyItems(files: readonly RuleFile<unknown>[]): Problem | null {
  let items = 0;
  for (const file of files) {
    const spec = file.spec as Record<string, unknown> | null;
    if (spec === null || typeof spec !== 'object') continue;
    for (const [key, value] of Object.entries(spec)) {
      if (!Array.isArray(value)) continue;
      if (items + value.length > MAX_APP_RULE_ITEMS) {
        const index = MAX_APP_RULE_ITEMS - items;
        return file.source.problem(['spec', key, index], tooManyItemsMessage(MAX_APP_RULE_ITEMS + 1));
      }
      items += value.length;
    }
  }
  return null;
}

/** App ids: the sub-directories of the rules directory (symbolic links followed, hidden ones left out). */
export async function listApps(rulesDir: string): Promise<string[]> {
  // Links to folders are apps; a link to nothing is one too, refused with why when it loads.
  return (await dirEntries(rulesDir))
    .filter((e) => e.kind === 'dir' || e.kind === 'broken')
    .map((e) => e.name)
    .sort();
}

export function filesHash(app: AppFiles): string {
  // File names, not paths: instances whose rules dirs live at different paths but hold
  // the same files show the same hash in /admin/rules (how operators see convergence).
  const h = createHash('sha256');
  for (const f of app.files) {
    h.update(path.basename(f.path)).update('\0').update(f.text).update('\0');
    if (f.oversize !== undefined) h.update(`oversize:${f.oversize}\0`);
    if (f.broken !== undefined) h.update(`broken:${f.broken}\0`);
    if (f.unread !== undefined) h.update(`unread:${f.unread}\0`);
  }
  return h.digest('hex').slice(0, 12);
}

/**
 * Parses, validates and compiles one app's rule files. Pure apart from the clock:
 * the same files always give the same rules or the same problems.
 */
export class AppLoader {
  /** Decision cache lookups of every rule set this loader compiled, for /metrics. */
  readonly decisionStats = new DecisionCacheStats();
  private readonly envelope: ValidateFunction;
  private readonly kinds: Map<string, ValidateFunction>;
  /**
   * Each app's files as last parsed and validated, by path: a reload re-parses only the
   * files whose text changed (YAML parsing and schema validation were most of a reload).
   * Parsed specs are deep-frozen, so compiling can never leave a mark on a reused one.
   */
  private readonly parsed = new Map<string, Map<string, { text: string; file: RuleFile<unknown> }>>();

  /** `apiKinds`: each API's rule kind (src/apis.ts); Segments, shared by all, is the loader's own. */
  constructor(private readonly apiKinds: readonly AnyRuleKind[]) {
    const ajv = createAjv();
    this.envelope = ajv.compile(envelopeSchema);
    const schemas: [string, object][] = [
      ['Segments', segmentsSchema],
      ...apiKinds.map((k) => [k.kind, k.schema] as [string, object]),
    ];
    this.kinds = new Map(schemas.map(([kind, schema]) => [kind, ajv.compile(schema)]));
  }

  /** Every API's warnings about a loaded snapshot (RuleKind.lint), as file:line:col problems. */
  warnings(rules: AppRules): Problem[] {
    const out: Problem[] = [];
    for (const k of this.apiKinds) {
      const compiled = (rules as unknown as Record<string, unknown>)[k.key];
      // Each API's key holds what its own compile returned (RuleKind ties key and type).
      const lint = k.lint as ((c: unknown, s: AppRules['segments']) => Problem[]) | undefined;
      if (compiled && lint) {
        out.push(
          ...lint(compiled, rules.segments).map(({ file, line, col, message }) => ({
            file,
            line,
            col,
            message,
          })),
        );
      }
    }
    return out;
  }

  /**
   * Parses ahead the files of `app` that changed since its last load, giving the event loop a
   * turn between files, so that `load` then finds them parsed: a reload of many files would
   * otherwise hold every request for all of their parsing at once (~0.3 s per 128 KB file).
   * Files that do not parse are left to `load`, which reports them. Nothing for an app over
   * its size bounds.
   */
  async parseAhead(app: AppFiles): Promise<void> {
    if (appSizeProblem(fileSizes(app))) return;
    let cache = this.parsed.get(app.appId);
    if (!cache) {
      cache = new Map();
      this.parsed.set(app.appId, cache);
    }
    for (const raw of app.files) {
      if (raw.oversize !== undefined || raw.broken !== undefined || cache.get(raw.path)?.text === raw.text)
        continue;
      await new Promise((resolve) => setImmediate(resolve));
      const ctx = new CompileContext(app.appId, this.decisionStats);
      const file = this.parseFile(raw.path, raw.text, ctx);
      if (file && ctx.problems.length === 0) cache.set(raw.path, { text: raw.text, file });
    }
    await new Promise((resolve) => setImmediate(resolve));
  }

  load(app: AppFiles, now: Date = new Date()): LoadResult {
    const ctx = new CompileContext(app.appId, this.decisionStats);
    const over = appSizeProblem(fileSizes(app));
    if (over) return { ok: false, problems: [{ file: over.file, line: 1, col: 1, message: over.message }] };
    const files: RuleFile<unknown>[] = [];
    const before = this.parsed.get(app.appId);
    const parsed = new Map<string, { text: string; file: RuleFile<unknown> }>();
    for (const raw of app.files) {
      const known = before?.get(raw.path);
      if (raw.broken !== undefined) {
        ctx.problems.push({ file: raw.path, line: 1, col: 1, message: raw.broken });
        continue;
      }
      if (raw.oversize !== undefined) {
        ctx.problems.push({ file: raw.path, line: 1, col: 1, message: oversizeMessage(raw.oversize) });
        continue;
      }
      const file = known?.text === raw.text ? known.file : this.parseFile(raw.path, raw.text, ctx);
      if (!file) continue;
      files.push(file);
      parsed.set(raw.path, { text: raw.text, file });
    }
    this.parsed.set(app.appId, parsed);
    if (ctx.problems.length > 0) return { ok: false, problems: ctx.problems };
    const many = tooManyItems(files);
    if (many) return { ok: false, problems: [many] };

    const ofKind = <S>(kind: string) => files.filter((f) => f.kind === kind) as RuleFile<S>[];
    const segments = compileSegments(ofKind('Segments'), ctx);
    // A segment renamed without its references: the API files' references to it are found
    // in the same pass (they were reported only once the segment files were fixed, a round
    // trip more; account manager probe). Any other problem of the segments stops here.
    if (ctx.problems.length > ctx.unknownSegmentReferences) return { ok: false, problems: ctx.problems };
    const compiled: Record<string, unknown> = {};
    for (const k of this.apiKinds) compiled[k.key] = k.compile(ofKind(k.kind), segments, ctx);
    checkUnusedSegmentFacts(
      ctx,
      this.apiKinds.flatMap((k) => k.facts),
      segments,
    );
    if (ctx.problems.length > 0) return { ok: false, problems: ctx.problems };

    // Each API's key holds what its own compile returned (RuleKind ties key and type).
    const rules = {
      appId: app.appId,
      version: files.map((f) => `${path.basename(f.path).replace(RULE_FILE, '')}:${f.version}`).join(','),
      hash: filesHash(app),
      loadedAt: now.toISOString(),
      files: files.map(({ path: p, kind, version, hash }) => ({ path: p, kind, version, hash })),
      segments,
      ...compiled,
    } as unknown as AppRules;
    return { ok: true, rules: Object.freeze(rules) };
  }

  private parseFile(filePath: string, text: string, ctx: CompileContext): RuleFile<unknown> | null {
    const refused = textProblem(text);
    if (refused) {
      ctx.problems.push({ file: filePath, line: 1, col: 1, message: refused });
      return null;
    }
    const parsed = YamlSource.parse(filePath, text);
    if ('problems' in parsed) {
      ctx.problems.push(...parsed.problems);
      return null;
    }
    const { source, value } = parsed;
    const headerProblems = validateAt(this.envelope, value, source, []);
    if (headerProblems.length > 0) {
      ctx.problems.push(...headerProblems);
      return null;
    }
    const doc = value as { kind: string; version: string | number; spec: unknown };
    const validate = this.kinds.get(doc.kind);
    if (!validate) {
      ctx.problems.push(
        source.problem(
          ['kind'],
          doc.kind === 'Fixtures'
            ? `kind Fixtures belongs in the app's tests/ folder (rules/<app>/tests/*.yaml), not among its rule files`
            : `unknown kind '${doc.kind}' (known: ${[...this.kinds.keys()].join(', ')})`,
        ),
      );
      return null;
    }
    const problems = validateAt(validate, value, source, []);
    if (problems.length > 0) {
      ctx.problems.push(...problems);
      return null;
    }
    const hash = createHash('sha256').update(text).digest('hex').slice(0, 12);
    return { path: filePath, kind: doc.kind, version: doc.version, hash, spec: deepFreeze(doc.spec), source };
  }
}

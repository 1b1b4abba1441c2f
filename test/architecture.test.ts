import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import test from 'ava';

/*
 * The import directions of docs/architecture.md ("Which way imports go"), checked on the
 * source text: every `import … from`, `export … from` and `import()` of every file in src.
 */

const SRC = path.resolve('src');
const APIS = ['banner', 'offerwall', 'journeys'];
const SHARED_LAYERS = ['rules', 'store', 'http', 'fixtures', 'admin'];

interface SourceImport {
  /** The importing file, relative to src (`rules/app-loader.ts`). */
  file: string;
  specifier: string;
  /** The imported file relative to src for a relative specifier; null for a package. */
  target: string | null;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(full);
    return e.name.endsWith('.ts') ? [full] : [];
  });
}

const IMPORT =
  /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s*'([^']+)'|import\(\s*'([^']+)'\s*\)|(?:^|\n)\s*import\s*'([^']+)'/g;

function importsOf(full: string): SourceImport[] {
  const file = path.relative(SRC, full);
  return [...readFileSync(full, 'utf8').matchAll(IMPORT)].map((m) => {
    const specifier = m[1] ?? m[2] ?? m[3] ?? '';
    const target = specifier.startsWith('.')
      ? path.relative(SRC, path.resolve(path.dirname(full), specifier)).replace(/\.js$/, '.ts')
      : null;
    return { file, specifier, target };
  });
}

const ALL = sourceFiles(SRC).flatMap(importsOf);
const topFolder = (relative: string) => relative.split(path.sep)[0] ?? '';
const show = (i: SourceImport) => `${i.file} imports '${i.specifier}'`;

test('the scan sees the imports it judges (a broken pattern would pass every rule below)', (t) => {
  const loader = ALL.filter((i) => i.file === path.join('rules', 'app-loader.ts'));
  t.true(loader.some((i) => i.target === path.join('rules', 'app-rules.ts')));
  t.true(loader.some((i) => i.specifier === 'node:crypto'));
  t.true(ALL.some((i) => i.file === 'apis.ts' && i.target === path.join('banner', 'banner-api.ts')));
});

test('the shared layers import no API: each API registers itself through src/apis.ts', (t) => {
  const wrong = ALL.filter(
    (i) => SHARED_LAYERS.includes(topFolder(i.file)) && i.target && APIS.includes(topFolder(i.target)),
  );
  t.deepEqual(wrong.map(show), []);
});

test('no API imports another API', (t) => {
  const wrong = ALL.filter(
    (i) =>
      APIS.includes(topFolder(i.file)) &&
      i.target &&
      APIS.includes(topFolder(i.target)) &&
      topFolder(i.target) !== topFolder(i.file),
  );
  t.deepEqual(wrong.map(show), []);
});

test("a domain/ file imports only its own API's domain/ and packages (no I/O layers of ours)", (t) => {
  const inDomain = (relative: string) => relative.split(path.sep).includes('domain');
  const wrong = ALL.filter(
    (i) =>
      inDomain(i.file) &&
      i.target !== null &&
      !(inDomain(i.target) && topFolder(i.target) === topFolder(i.file)),
  );
  t.deepEqual(wrong.map(show), []);
  t.true(
    ALL.some((i) => inDomain(i.file)),
    'the scan found domain files',
  );
});

test('only src/rules/engine imports json-rules-engine', (t) => {
  const wrong = ALL.filter(
    (i) => i.specifier === 'json-rules-engine' && !i.file.startsWith(path.join('rules', 'engine') + path.sep),
  );
  t.deepEqual(wrong.map(show), []);
  t.true(ALL.some((i) => i.specifier === 'json-rules-engine'));
});

test('a service imports neither Koa nor src/http: it returns results, routes speak HTTP', (t) => {
  const isService = (relative: string) => relative.endsWith('-service.ts');
  const speaksHttp = (i: SourceImport) =>
    i.specifier === 'koa' ||
    i.specifier.startsWith('@koa/') ||
    (i.target !== null && topFolder(i.target) === 'http');
  t.deepEqual(ALL.filter((i) => isService(i.file) && speaksHttp(i)).map(show), [], 'a service speaks HTTP');
});

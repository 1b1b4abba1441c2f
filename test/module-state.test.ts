import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import test from 'ava';

/*
 * No module-level mutable state outside main.ts (docs/architecture.md): state lives in an
 * instance whose owner decides its lifetime. A plain scan of src: a top-level `let`/`var`,
 * a static class field that is not readonly or is reassigned, and a top-level `const`
 * whose value is changed in place (`X.set(`, `X.push(`, `X.n += …`, `X[k] = …`).
 */

const SRC = path.resolve('src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(full);
    return e.name.endsWith('.ts') ? [full] : [];
  });
}

const MUTATORS = 'set|add|delete|clear|push|pop|shift|unshift|splice|fill|sort|reverse|copyWithin';

/** Where `text` keeps state at module level, as `file:line what`. */
function moduleState(file: string, text: string): string[] {
  const found: string[] = [];
  const lines = text.split('\n');
  const at = (i: number, what: string) => found.push(`${file}:${i + 1} ${what}`);
  const consts: string[] = [];
  lines.forEach((line, i) => {
    const top = /^(?:export\s+)?(let|var|const)\s+([A-Za-z_$][\w$]*)/.exec(line);
    if (top?.[1] === 'let' || top?.[1] === 'var') at(i, `top-level ${top[1]} ${top[2]}`);
    if (top?.[1] === 'const' && top[2]) consts.push(top[2]);
    const field =
      /^\s+(?:(?:private|protected|public)\s+)?static\s+(?!readonly\b)(?!async\b)([A-Za-z_$][\w$]*)\s*[=:]/.exec(
        line,
      );
    if (field) at(i, `static field ${field[1]}`);
  });
  for (const name of consts) {
    const changed = new RegExp(
      `(?<![\\w$.])${name}(?:\\.(?:${MUTATORS})\\(|(?:\\.[\\w$]+|\\[[^\\]]+\\])\\s*(?:[-+*/|&]?=(?!=)|\\+\\+|--))`,
    );
    lines.forEach((line, i) => {
      if (!/^\s*(\/\/|\*)/.test(line) && changed.test(line)) at(i, `module const ${name} changed`);
    });
  }
  return found;
}

function scanSrc(): string[] {
  return sourceFiles(SRC)
    .map((full) => path.relative(SRC, full))
    .filter((file) => file !== 'main.ts')
    .flatMap((file) => moduleState(file, readFileSync(path.join(SRC, file), 'utf8')));
}

test('the scan finds each form of module state it looks for', (t) => {
  const text = [
    'let count = 0;',
    'export const totals = { hits: 0 };',
    'const cache = new Map<string, number>();',
    'const list: number[] = [];',
    'const LIMITS = Object.freeze({ a: 1 });',
    'class Slab {',
    '  private static free = 0;',
    '  static readonly SIZE = 1;',
    '}',
    'function hit() {',
    '  totals.hits += 1;',
    '  cache.set("a", 1);',
    '  list.push(LIMITS.a);',
    '  if (totals.hits === 1) return;',
    '}',
  ].join('\n');
  t.deepEqual(moduleState('x.ts', text), [
    'x.ts:1 top-level let count',
    'x.ts:7 static field free',
    'x.ts:11 module const totals changed',
    'x.ts:12 module const cache changed',
    'x.ts:13 module const list changed',
  ]);
});

test('no module-level mutable state in src outside main.ts', (t) => {
  t.deepEqual(scanSrc(), []);
});

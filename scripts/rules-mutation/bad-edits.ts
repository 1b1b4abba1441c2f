import type { AppDir } from './app-dir.js';
import type { Random } from './random.js';

/** What a bad edit gets to work with; `n` makes its names and values unique. */
export interface EditContext {
  app: AppDir;
  random: Random;
  n: number;
}

/** One kind of change that must never go live. Returns false when it does not apply now. */
export interface BadEdit {
  category: string;
  apply(ctx: EditContext): Promise<boolean>;
}

/** Files whose loss breaks the app: the only file of a needed kind, or segments other files use. */
const VITAL = [
  'banner.yaml',
  'offerwall.yaml',
  'segments.yaml',
  'banner-segments.yaml',
  'offerwall-segments.yaml',
  'journeys-segments.yaml',
];

/** Replaces one random match of `pattern` (global) in a random file that has one. */
async function replaceOne(
  ctx: EditContext,
  pattern: RegExp,
  replacement: (match: string) => string,
  files?: string[],
): Promise<boolean> {
  const candidates: { name: string; text: string; matches: RegExpExecArray[] }[] = [];
  for (const name of files ?? (await ctx.app.ruleFiles())) {
    const text = await ctx.app.read(name).catch(() => '');
    const matches = [...text.matchAll(pattern)];
    if (matches.length > 0) candidates.push({ name, text, matches });
  }
  if (candidates.length === 0) return false;
  const { name, text, matches } = ctx.random.pick(candidates);
  const m = ctx.random.pick(matches);
  const out = text.slice(0, m.index) + replacement(m[0]) + text.slice(m.index + m[0].length);
  await ctx.app.write(name, out);
  return true;
}

async function someFile(ctx: EditContext): Promise<string | null> {
  const files = await ctx.app.ruleFiles();
  return files.length > 0 ? ctx.random.pick(files) : null;
}

/** Inserts `line` before a random line of a random file (column 0 ends any block scalar). */
async function insertLine(ctx: EditContext, line: string): Promise<boolean> {
  const name = await someFile(ctx);
  if (!name) return false;
  const lines = (await ctx.app.read(name)).split('\n');
  lines.splice(ctx.random.int(0, lines.length), 0, line);
  await ctx.app.write(name, lines.join('\n'));
  return true;
}

async function append(ctx: EditContext, text: string, files?: string[]): Promise<boolean> {
  const present = (await ctx.app.ruleFiles()).filter((f) => !files || files.includes(f));
  if (present.length === 0) return false;
  const name = ctx.random.pick(present);
  await ctx.app.write(name, `${(await ctx.app.read(name)).replace(/\n*$/, '\n')}${text}`);
  return true;
}

async function segmentsFiles(ctx: EditContext): Promise<string[]> {
  const out: string[] = [];
  for (const name of await ctx.app.ruleFiles()) {
    if (/^kind: Segments$/m.test(await ctx.app.read(name).catch(() => ''))) out.push(name);
  }
  return out;
}

async function vitalPresent(ctx: EditContext): Promise<string[]> {
  const files = await ctx.app.ruleFiles();
  return VITAL.filter((f) => files.includes(f));
}

const HOSTILE = [
  () => `a: ${'['.repeat(100_000)}`,
  () => `${'- '.repeat(60_000)}x`,
  () => `${'? '.repeat(20_000)}x`,
  () => {
    const bomb = ['a0: &a0 [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 9; i++) bomb.push(`a${i}: &a${i} [${`*a${i - 1}, `.repeat(10)}x]`);
    return `${bomb.join('\n')}\n`;
  },
  () => `${Array.from({ length: 10_000 }, (_, i) => `k${i}: ${i}`).join('\n')}\n`,
];

export const BAD_EDITS: BadEdit[] = [
  {
    category: 'yaml-syntax',
    apply: (ctx) =>
      ctx.random.chance(0.5)
        ? insertLine(ctx, ctx.random.pick(['%broken: 1', '@broken', '`broken', 'broken: @x']))
        : append(ctx, ctx.random.pick(['broken: [1, 2\n', 'broken: {a: 1\n', `version: ${ctx.n}\n`])),
  },
  {
    category: 'schema-violation',
    apply: (ctx) =>
      ctx.random.pick([
        () => replaceOne(ctx, /^apiVersion: offerd\/v1$/gm, () => 'apiVersion: offerd/v9'),
        () => replaceOne(ctx, /^version: .*$/gm, () => 'version: [1, 2]'),
        () => replaceOne(ctx, /^spec:$/gm, (m) => `${m}\n  unknownProperty${ctx.n}: 1`),
        () => replaceOne(ctx, /weight: \d+/g, () => 'weight: lots'),
        () => replaceOne(ctx, /^spec:/gm, () => 'specs:'),
        () =>
          replaceOne(ctx, /^kind: \w+$/gm, (m) =>
            m === 'kind: Banner' ? 'kind: Offerwall' : 'kind: Banner',
          ),
      ])(),
  },
  {
    category: 'unknown-segment',
    apply: (ctx) => replaceOne(ctx, /segment: [\w-]+/g, () => `segment: no-such-segment-${ctx.n}`),
  },
  {
    category: 'unknown-operator',
    apply: (ctx) => replaceOne(ctx, /operator: \w+/g, () => `operator: almostEqual${ctx.n}`),
  },
  {
    category: 'unknown-fact',
    apply: (ctx) => replaceOne(ctx, /fact: profile\.\w+/g, () => `fact: profile.noSuchFact${ctx.n}`),
  },
  {
    category: 'segment-cycle',
    apply: async (ctx) => {
      const a = `cycle-a-${ctx.n}`;
      const b = `cycle-b-${ctx.n}`;
      const text = ctx.random.chance(0.5)
        ? `    - id: ${a}\n      conditions: { segment: ${b} }\n    - id: ${b}\n      conditions: { all: [{ segment: payer }, { not: { segment: ${a} } }] }\n`
        : `    - id: ${a}\n      conditions: { any: [{ segment: ${a} }] }\n`;
      return append(ctx, text, await segmentsFiles(ctx));
    },
  },
  {
    category: 'empty-file',
    apply: async (ctx) => {
      const name = await someFile(ctx);
      if (!name) return false;
      await ctx.app.write(name, ctx.random.pick(['', '\n\n   \n', '# nothing but a comment\n', '---\n']));
      return true;
    },
  },
  {
    category: 'deleted-file',
    apply: async (ctx) => {
      const vital = await vitalPresent(ctx);
      if (vital.length === 0) return false;
      await ctx.app.remove(ctx.random.pick(vital));
      return true;
    },
  },
  {
    category: 'deleted-kind',
    apply: async (ctx) => {
      const journeys = [];
      for (const name of await ctx.app.ruleFiles())
        if (/^kind: Journeys$/m.test(await ctx.app.read(name))) journeys.push(name);
      if (journeys.length === 0) return false;
      // One Journeys file alone is valid: break one first, so that a reload between the
      // two deletions (the watcher's, 200 ms after a change) never sees a valid state.
      await ctx.app.writeAtomic(journeys[0] ?? '', '');
      for (const name of journeys) await ctx.app.remove(name);
      return true;
    },
  },
  {
    category: 'empty-app-dir',
    apply: async (ctx) => {
      // Files go one by one: break the Banner file first so no state in between is valid.
      if ((await ctx.app.ruleFiles()).includes('banner.yaml')) await ctx.app.writeAtomic('banner.yaml', '');
      if (ctx.random.chance(0.3)) await ctx.app.removeAll();
      else for (const name of await ctx.app.ruleFiles()) await ctx.app.remove(name);
      return true;
    },
  },
  {
    category: 'renamed-file',
    apply: async (ctx) => {
      const vital = await vitalPresent(ctx);
      if (vital.length === 0) return false;
      const name = ctx.random.pick(vital);
      const to = ctx.random.pick([
        `${name}.bak`,
        `${name}.disabled`,
        `${name}~`,
        name.replace(/\.yaml$/, '.YAML'),
      ]);
      await ctx.app.rename(name, to);
      return true;
    },
  },
  {
    category: 'duplicated-file',
    apply: async (ctx) => {
      const segments = await segmentsFiles(ctx);
      if (segments.length === 0) return false;
      const name = ctx.random.pick(segments);
      await ctx.app.write(name.replace(/\.yaml$/, `-copy-${ctx.n}.yaml`), await ctx.app.read(name));
      return true;
    },
  },
  {
    category: 'unknown-kind',
    apply: async (ctx) => {
      const kind = ctx.random.pick(['Campaign', 'banner', 'Segment', 'Offerwalls']);
      if (ctx.random.chance(0.5)) return replaceOne(ctx, /^kind: \w+$/gm, () => `kind: ${kind}`);
      await ctx.app.write(
        `extra-${ctx.n}.yaml`,
        `apiVersion: offerd/v1\nkind: ${kind}\nversion: 1\nspec: {}\n`,
      );
      return true;
    },
  },
  {
    category: 'binary-garbage',
    apply: async (ctx) => {
      const garbage = ctx.random.bytes(ctx.random.int(256, 64 * 1024));
      const name = ctx.random.chance(0.5) ? await someFile(ctx) : `garbage-${ctx.n}.yaml`;
      await ctx.app.write(name ?? `garbage-${ctx.n}.yaml`, garbage);
      return true;
    },
  },
  {
    category: 'huge-file',
    apply: async (ctx) => {
      // 5 MB: a valid file padded with a comment, or plain filler in a new file. Written
      // atomically: a reload reading the padded file halfway could see a valid one.
      const pad = `# ${'x'.repeat(100)}\n`.repeat(Math.ceil((5 * 1024 * 1024) / 103));
      const name = await someFile(ctx);
      if (name && ctx.random.chance(0.5))
        await ctx.app.writeAtomic(name, `${await ctx.app.read(name)}${pad}`);
      else await ctx.app.write(`huge-${ctx.n}.yaml`, `a: b\n${pad}`);
      return true;
    },
  },
  {
    category: 'hostile-yaml',
    apply: async (ctx) => {
      const text = ctx.random.pick(HOSTILE)();
      const name = ctx.random.chance(0.5) ? await someFile(ctx) : null;
      await ctx.app.write(name ?? `hostile-${ctx.n}.yaml`, text);
      return true;
    },
  },
];

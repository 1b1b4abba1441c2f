import type { EditContext } from './bad-edits.js';

/** What a valid edit must change in what the service serves. */
export interface Expectation {
  /** A `file:version` the active version must list (or must no longer list, with `absent`). */
  version: string;
  absent?: boolean;
  /** Text the default banner's imageFullUrl must contain. */
  bannerImage?: string;
}

/** A change that must go live; null when it does not apply now. */
export interface ValidEdit {
  category: string;
  apply(ctx: EditContext): Promise<Expectation | null>;
}

const base = (name: string) => name.replace(/\.ya?ml$/, '');

/** Rewrites `name` through `change` with its version set to `version`; atomically, as an editor saves. */
async function rewrite(
  ctx: EditContext,
  name: string,
  change: (text: string) => string,
): Promise<Expectation | null> {
  const text = await ctx.app.read(name).catch(() => null);
  if (text === null) return null;
  const version = 1000 + ctx.n;
  const out = change(text).replace(/^version: .*$/m, `version: ${version}`);
  if (out === text) return null;
  await ctx.app.writeAtomic(name, out);
  return { version: `${base(name)}:${version}` };
}

export const VALID_EDITS: ValidEdit[] = [
  {
    category: 'version-bump',
    apply: async (ctx) => rewrite(ctx, ctx.random.pick(await ctx.app.ruleFiles()), (t) => t),
  },
  {
    category: 'banner-default-image',
    apply: async (ctx) => {
      const marker = `default-m${ctx.n}`;
      const edited = await rewrite(ctx, 'banner.yaml', (t) =>
        t.replace(/banners\/default[^/]*\//, `banners/${marker}/`),
      );
      return edited && { ...edited, bannerImage: `/banners/${marker}/` };
    },
  },
  {
    category: 'banner-weights',
    apply: (ctx) => {
      const control = ctx.random.int(0, 100);
      return rewrite(ctx, 'banner.yaml', (t) =>
        t
          .replace(
            /\{ id: 0, name: control, weight: \d+ \}(?=\n\s+- \{ id: 1, name: spotlight)/,
            `{ id: 0, name: control, weight: ${control} }`,
          )
          .replace(
            /\{ id: 1, name: spotlight, weight: \d+ \}/,
            `{ id: 1, name: spotlight, weight: ${100 - control} }`,
          ),
      );
    },
  },
  {
    category: 'offerwall-ranking',
    apply: (ctx) =>
      rewrite(ctx, 'offerwall.yaml', (t) =>
        t.replace(/freshnessHalfLifeDays: \d+/, `freshnessHalfLifeDays: ${ctx.random.int(5, 120)}`),
      ),
  },
  {
    category: 'segments-file-added',
    apply: async (ctx) => {
      const text = [
        'apiVersion: offerd/v1',
        'kind: Segments',
        `version: ${ctx.n}`,
        'spec:',
        '  segments:',
        `    - id: extra-${ctx.n}`,
        `      conditions: { fact: context.level, operator: greaterThan, value: ${ctx.n} }`,
        '',
      ].join('\n');
      await ctx.app.writeAtomic('extra-segments.yaml', text);
      return { version: `extra-segments:${ctx.n}` };
    },
  },
  {
    category: 'segments-file-removed',
    apply: async (ctx) => {
      if (!(await ctx.app.ruleFiles()).includes('extra-segments.yaml')) return null;
      await ctx.app.remove('extra-segments.yaml');
      return { version: 'extra-segments:', absent: true };
    },
  },
];

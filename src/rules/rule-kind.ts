import type { CompiledKinds } from './app-rules.js';
import type { CompileContext } from './compile-context.js';
import type { FactCatalogue } from './fact-catalogue.js';
import type { Problem } from './problems.js';
import type { RuleFile } from './rule-file.js';
import type { SegmentCatalog } from './segment-catalog.js';

/**
 * One API's rule kind, handed to the loader by the wiring (src/apis.ts): the loader
 * validates files of `kind` against `schema` and stores what `compile` returns on the
 * snapshot under `key`. The rules layer itself names no API.
 */
export interface RuleKind<K extends keyof CompiledKinds = keyof CompiledKinds> {
  /** The `kind:` a rule file names, e.g. `Banner`. */
  readonly kind: string;
  /** Where the compiled result sits on the snapshot, e.g. `rules.banner`. */
  readonly key: K;
  /** The JSON Schema of a whole file of this kind (envelope included). */
  readonly schema: object;
  /**
   * The facts this API's rules can read (one catalogue per kind of request it decides).
   * A segment no rule uses yet is held to them all: it may read what any API provides.
   */
  readonly facts: readonly FactCatalogue[];
  /** Every file of this kind of one app (none: the API's null); problems go to `ctx`. */
  compile(files: RuleFile<unknown>[], segments: SegmentCatalog, ctx: CompileContext): CompiledKinds[K];
  /**
   * Rules that load and serve but very likely do not do what their author meant (a rule
   * that can never fire), each at its file:line:col. Warnings only: they never block.
   */
  lint?(compiled: NonNullable<CompiledKinds[K]>, segments: SegmentCatalog): Problem[];
}

/** The list form the loader takes: each entry typed by its own key. */
export type AnyRuleKind = { [K in keyof CompiledKinds]: RuleKind<K> }[keyof CompiledKinds];

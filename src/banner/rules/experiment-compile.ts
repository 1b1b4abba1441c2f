import type { CompileContext } from '../../rules/compile-context.js';
import type { RuleFile } from '../../rules/rule-file.js';
import type { JsonPath } from '../../rules/yaml-source.js';
import type { Experiment } from '../domain/banner-types.js';
import { CONTROL_VARIATION, isHousekeepingEvent } from '../domain/banner-types.js';
import type { ExperimentSpec } from './banner-schema.js';

/** A rule-file item with where it is written (its file and path), for problems that point at it. */
export interface Located<T> {
  file: RuleFile<unknown>;
  path: JsonPath;
  item: T;
}

function checkMetrics(ctx: CompileContext, at: Located<ExperimentSpec>): void {
  const metrics = at.item.metrics;
  if (!metrics) return;
  const all = [metrics.primary, ...(metrics.secondary ?? [])];
  all.forEach((m, i) => {
    const where = i === 0 ? ['metrics', 'primary'] : ['metrics', 'secondary', i - 1];
    if (isHousekeepingEvent(m.event)) {
      ctx.report(at.file, [...at.path, ...where, 'event'], `'${m.event}' is SDK housekeeping, not a metric`);
    } else if (all.findIndex((o) => o.event === m.event) < i) {
      ctx.report(at.file, [...at.path, ...where, 'event'], `metric '${m.event}' is listed twice`);
    }
  });
}

/** One experiment of the Banner rules, checked (variations, control, weights, metrics) and compiled. */
export function compileExperiment(ctx: CompileContext, at: Located<ExperimentSpec>): Experiment {
  const spec = at.item;
  const seen = new Set<number>();
  spec.variations.forEach((v, i) => {
    if (seen.has(v.id)) {
      ctx.report(at.file, [...at.path, 'variations', i, 'id'], `duplicate variation id ${v.id}`);
    }
    seen.add(v.id);
  });
  if (!seen.has(CONTROL_VARIATION)) {
    ctx.report(at.file, [...at.path, 'variations'], 'variation 0 (the control group) is missing');
  }
  if (!spec.variations.some((v) => v.weight > 0)) {
    ctx.report(at.file, [...at.path, 'variations'], 'at least one variation needs a weight above 0');
  }
  if (spec.eligibility) ctx.checkCondition(at.file, [...at.path, 'eligibility'], spec.eligibility);
  checkMetrics(ctx, at);
  return {
    id: spec.id,
    description: spec.description ?? '',
    status: spec.status,
    bucketVersion: spec.bucketVersion ?? 1,
    // Version 2 unless the rule says otherwise: experiments whose users were assigned
    // with version 1 name it (stored assignments never move, but new users would follow v2).
    hashVersion: spec.hashVersion ?? 2,
    controlBanner: spec.controlBanner ?? false,
    metrics: {
      primary: spec.metrics?.primary.event ?? null,
      primaryValue: spec.metrics?.primary.value ?? null,
      secondary: (spec.metrics?.secondary ?? []).map((m) => m.event),
    },
    trafficAllocation: spec.trafficAllocation ?? 100,
    occasion: spec.occasion ?? null,
    hasEligibility: spec.eligibility !== undefined,
    variations: spec.variations.map((v) => ({
      id: v.id,
      name: v.name ?? (v.id === CONTROL_VARIATION ? 'control' : `variation-${v.id}`),
      weight: v.weight,
    })),
  };
}

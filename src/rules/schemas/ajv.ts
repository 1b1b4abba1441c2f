import type { ErrorObject, ValidateFunction } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { closestName } from '../closest-name.js';
import type { Problem } from '../problems.js';
import type { JsonPath, YamlSource } from '../yaml-source.js';

/** One strict draft 2020-12 validator factory for every rule kind, compiled once at start. */
export function createAjv(): Ajv2020 {
  // verbose: an error carries its schema, so an unknown property can be told the closest known one.
  const ajv = new Ajv2020({ strict: true, allErrors: true, allowUnionTypes: true, verbose: true });
  addFormats.default(ajv);
  return ajv;
}

function toPath(instancePath: string): JsonPath {
  if (instancePath === '') return [];
  return instancePath
    .slice(1)
    .split('/')
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((part) => (/^\d+$/.test(part) ? Number(part) : part));
}

function describe(e: ErrorObject, prefix: JsonPath): { path: JsonPath; key?: string; message: string } {
  const path = [...prefix, ...toPath(e.instancePath)];
  const where = `/${path.join('/')}`;
  if (e.keyword === 'additionalProperties') {
    const key = String(e.params.additionalProperty);
    const known = Object.keys((e.parentSchema as { properties?: object } | undefined)?.properties ?? {});
    // A typo is a few edits away (conditon, prioirty); a property of another kind is not.
    const near = closestName(key, known, Math.max(1, Math.floor(key.length / 3)));
    return {
      path,
      key,
      message: `${where} has unknown property '${key}'${near ? ` (did you mean '${near}'?)` : ''}`,
    };
  }
  if (e.keyword === 'enum') {
    return { path, message: `${where} must be one of ${(e.params.allowedValues as unknown[]).join(', ')}` };
  }
  return { path, message: `${where} ${e.message ?? 'is invalid'}` };
}

/** Validates `value` (found at `prefix` in the file) and returns located problems. */
export function validateAt(
  validate: ValidateFunction,
  value: unknown,
  source: YamlSource,
  prefix: JsonPath,
): Problem[] {
  if (validate(value)) return [];
  // ajv overwrites validate.errors on the next call: copy before doing anything else.
  const errors = [...(validate.errors ?? [])];
  return errors.map((e) => {
    const d = describe(e, prefix);
    return source.problem(d.path, d.message, d.key);
  });
}

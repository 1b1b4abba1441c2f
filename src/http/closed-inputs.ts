import type { Context } from 'koa';
import { type FieldProblem, invalidInput } from './app-error.js';

const NOT_A_FIELD = 'is not a field of this request';

/**
 * For an action whose input is its query: a body is refused, each of its fields named. A field
 * sent there was ignored and the action done as if it were not (focused probe: reload with
 * `{"app": "nosuch"}` reloaded every app; generate with `{"environment": "test"}` ran both).
 * No body, or `{}`, is none.
 */
export function refuseBody(ctx: Context): void {
  const body = (ctx.request as { body?: unknown }).body;
  if (body === undefined) return;
  const isObject = typeof body === 'object' && body !== null && !Array.isArray(body);
  if (isObject && Object.keys(body).length === 0) return;
  const problems: FieldProblem[] = isObject
    ? Object.keys(body).map((field) => ({
        field,
        message: `${NOT_A_FIELD}: this request takes its parameters in the query`,
      }))
    : [{ field: 'body', message: 'must be empty: this request takes its parameters in the query' }];
  throw invalidInput(problems);
}

/**
 * For an action whose input is its body: a query parameter is refused, named (a rollback with
 * `?dryRun=1` rolled back and pinned the app: focused probe).
 */
export function refuseQuery(ctx: Context): void {
  const names = Object.keys(ctx.query);
  if (names.length === 0) return;
  throw invalidInput(
    names.map((field) => ({ field, message: `${NOT_A_FIELD}: this request takes its input in the body` })),
  );
}

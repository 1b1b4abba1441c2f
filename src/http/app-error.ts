import { type ErrorCode, statusOf } from './error-catalogue.js';

/** One offending input, named so a client can fix it. */
export interface FieldProblem {
  field: string;
  message: string;
}

/**
 * An expected failure with a stable code from the error catalogue, which gives its HTTP
 * status. The error middleware renders it in the envelope of the API family the route
 * belongs to; anything that is not an AppError becomes a 500 that leaks nothing.
 */
export class AppError extends Error {
  readonly status: number;

  /** `status` overrides the catalogue's only for a client error a library raised with its own. */
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly fields: FieldProblem[] = [],
    status: number = statusOf(code),
  ) {
    super(message);
    this.name = 'AppError';
    this.status = status;
  }
}

export const invalidInput = (fields: FieldProblem[], message = 'Invalid input'): AppError =>
  new AppError('INVALID_INPUT', message, fields);

/** One offending input, named so a client can fix it. */
export interface FieldProblem {
  field: string;
  message: string;
}

/**
 * An expected failure with an HTTP status and a stable code. The error middleware
 * renders it in the envelope of the API family the route belongs to; anything that
 * is not an AppError becomes a 500 that leaks nothing.
 */
export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly fields: FieldProblem[] = [],
  ) {
    super(message);
    this.name = 'AppError';
  }
}

export const invalidInput = (fields: FieldProblem[], message = 'Invalid input'): AppError =>
  new AppError(400, 'INVALID_INPUT', message, fields);

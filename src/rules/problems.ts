/** One thing wrong with a rule file, located for the person who will fix it. */
export interface Problem {
  file: string;
  line: number;
  col: number;
  message: string;
}

export function formatProblem(p: Problem): string {
  return `${p.file}:${p.line}:${p.col} ${p.message}`;
}

/** Thrown where a caller needs rules that did not load; carries every problem. */
export class RulesInvalidError extends Error {
  constructor(readonly problems: Problem[]) {
    super(`rules are invalid:\n${problems.map(formatProblem).join('\n')}`);
    this.name = 'RulesInvalidError';
  }
}

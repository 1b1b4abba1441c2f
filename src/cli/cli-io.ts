/** Where commands write; tests capture it instead of the process streams. */
export interface CliIo {
  out(line: string): void;
  err(line: string): void;
}

export const processIo: CliIo = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};

/** A mistake of the caller (unknown app, missing file, bad option): one line, exit 2, no stack. */
export class CliError extends Error {}

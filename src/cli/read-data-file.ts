import { readFile } from 'node:fs/promises';
import { parse, YAMLParseError } from 'yaml';
import { CliError } from './cli-io.js';

/**
 * Reads a YAML or JSON file (JSON is YAML) given on the command line. A file that does not
 * parse is the caller's mistake (exit 2), named with its line and column: it was exit 1
 * with the parser's multi-line excerpt flattened and no file name (operator probe).
 */
export async function readDataFile(file: string): Promise<unknown> {
  const text = await readFile(file, 'utf8');
  try {
    return parse(text);
  } catch (err) {
    if (!(err instanceof YAMLParseError)) throw err;
    const [line, col] = err.linePos?.[0] ? [err.linePos[0].line, err.linePos[0].col] : [1, 1];
    const what = err.message.split('\n')[0]?.replace(/ at line \d+, column \d+:?$/, '') ?? 'not YAML';
    throw new CliError(`${file}:${line}:${col}: not YAML or JSON: ${what}`);
  }
}

import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';

/** Reads a YAML or JSON file (JSON is YAML) given on the command line. */
export async function readDataFile(file: string): Promise<unknown> {
  return parse(await readFile(file, 'utf8'));
}

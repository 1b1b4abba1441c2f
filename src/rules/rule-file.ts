import type { JsonPath, YamlSource } from './yaml-source.js';

/** One validated rule file of an app, before its kind compiles it. */
export interface RuleFile<S> {
  /** Path as shown to people: relative to the working directory. */
  path: string;
  kind: string;
  version: string | number;
  /** sha256 of the file's bytes. */
  hash: string;
  spec: S;
  source: YamlSource;
}

/** Where something sits in a file: the file and the JSON path below `spec`. */
export interface Site {
  file: RuleFile<unknown>;
  path: JsonPath;
}

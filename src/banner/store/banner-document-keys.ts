import type { CollectionFile } from '../../store/document/collection-file.js';

/** A record and the file that holds it (the one to commit after changing it). */
export interface Indexed<R, F> {
  record: R;
  file: CollectionFile<F>;
}

// Ids never contain a newline (they are validated), so joined keys cannot collide.
export const key = (...parts: (string | number)[]): string => parts.join('\n');

/** The canonical ISO text of a time given as a Date or as ISO text. */
export const iso = (at: Date | string): string => (typeof at === 'string' ? new Date(at) : at).toISOString();

/** The later of two ISO times: "last" times only move forward, whatever order writes come in. */
export function later(current: string | null, at: string): string {
  return current === null || Date.parse(current) < Date.parse(at) ? at : current;
}

export function push<K, V>(map: Map<K, V[]>, k: K, v: V): void {
  const list = map.get(k);
  if (list) list.push(v);
  else map.set(k, [v]);
}

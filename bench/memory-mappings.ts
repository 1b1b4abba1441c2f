import { readFile } from 'node:fs/promises';

/**
 * RSS by kind of mapping (/proc/<pid>/smaps, Linux): `[heap]` is glibc's main malloc arena
 * (V8 never uses brk), anonymous mappings are V8's heap pages and malloc's other arenas,
 * files are code and mapped data. Tells native memory from the V8 heap.
 */
export async function mappings(pid: number): Promise<string> {
  const text = await readFile(`/proc/${pid}/smaps`, 'utf8').catch(() => '');
  const kb = new Map<string, number>();
  let kind = '';
  for (const line of text.split('\n')) {
    const head = /^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (head) {
      const name = head[1] ?? '';
      kind = name === '' ? 'anonymous' : name.startsWith('[') ? name : 'files';
      continue;
    }
    const rss = /^Rss:\s+(\d+) kB$/.exec(line);
    if (rss) kb.set(kind, (kb.get(kind) ?? 0) + Number(rss[1]));
  }
  return [...kb]
    .filter(([, n]) => n >= 1000)
    .map(([k, n]) => `${k} ${Math.round(n / 1000)} MB`)
    .join(', ');
}

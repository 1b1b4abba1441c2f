/**
 * How many Authorization headers a request carried. Node keeps only the first in
 * `headers`, and a proxy in front may keep the last: with two, which key or token the
 * caller meant is unknown, so every API refuses them (the banner API took the first).
 */
export function authorizationCount(rawHeaders: readonly string[]): number {
  let n = 0;
  for (let i = 0; i < rawHeaders.length; i += 2) {
    if (rawHeaders[i]?.toLowerCase() === 'authorization') n++;
  }
  return n;
}

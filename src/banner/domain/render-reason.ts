/**
 * MATCH: a banner rule matched (control too, when its experiment sets controlBanner);
 * CONTROL: control group, default banner; NO_MATCH: in
 * an experiment variation no banner rule covers, default banner; DEFAULT: outside
 * every experiment and no banner rule matched.
 */
export type RenderReason = 'MATCH' | 'CONTROL' | 'NO_MATCH' | 'DEFAULT';

/** Why a render served what it served. */
export function reasonOf(inControl: boolean, matched: boolean, served: boolean): RenderReason {
  if (matched) return 'MATCH';
  if (inControl) return 'CONTROL';
  return served ? 'NO_MATCH' : 'DEFAULT';
}

/**
 * A fixture state's `properties` (banner and special-offer cases): the user's profile as
 * /engage `$set` it. Checked here, because `$set` of a non-object would store nothing and
 * the case would then test a user without the properties its author meant.
 */
export function checkCaseProperties(properties: unknown): void {
  if (properties === undefined) return;
  if (typeof properties !== 'object' || properties === null || Array.isArray(properties)) {
    throw new Error('state.properties must be an object of profile properties ({name: value})');
  }
}

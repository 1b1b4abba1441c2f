import { useEffect, useState } from 'preact/hooks';

/**
 * A selection that starts from the URL's hash query (`#/experiments?experiment=x`) and follows
 * it: a pasted link or Back changes the hash without remounting the page, and a state read
 * only once kept showing the old selection under the new URL. The page may still change it
 * itself (a picker); the next change of that parameter in the URL wins again.
 */
export function useParam(params, name, fallback = null) {
  const fromUrl = params.get(name) ?? fallback;
  const [value, setValue] = useState(fromUrl);
  useEffect(() => setValue(fromUrl), [fromUrl]);
  return [value, setValue];
}

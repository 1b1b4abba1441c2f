/** The siphash24 package (mafintosh/siphash24, WebAssembly with a JS fallback) ships no types. */
declare module 'siphash24' {
  /** SipHash-2-4 of `data` under a 16-byte `key`, 8 bytes written to `out` (a new array if none). */
  function siphash24(data: Uint8Array, key: Uint8Array, out?: Uint8Array, noAssert?: boolean): Uint8Array;
  export = siphash24;
}

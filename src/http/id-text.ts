/**
 * The characters no id (userId, externalId, distinct_id…) may hold, as the body of a JSON
 * Schema pattern's character class: C0 and DEL, C1 (U+0080–U+009F: U+0085 is a line break to
 * many log readers), the line and paragraph separators U+2028/U+2029, and the bidi controls
 * (U+061C, U+200E/U+200F, U+202A–U+202E, U+2066–U+2069), which make `\u202egnp.exe` read as
 * `exe.png` in the console and in logs. Only C0 and DEL were refused (hostile probe), though
 * the docs promise ids without control characters. Also the characters that show as nothing
 * (the second hostile probe: `bob` and `bob\u200b` were two users that look the same in the
 * console): the soft hyphen U+00AD, the zero-width space U+200B, U+2060–U+2064, the byte
 * order mark U+FEFF, the Hangul fillers U+3164/U+FFA0 and the interlinear annotation marks
 * U+FFF9–U+FFFB, and the ones a probe found still passing: the Hangul jamo fillers U+115F/U+1160,
 * the Khmer inherent vowels U+17B4/U+17B5 (deprecated: Unicode advises never using them) and
 * the deprecated format characters U+206A–U+206F, the shorthand format controls
 * U+1BCA0–U+1BCA3 and the musical formatting characters U+1D173–U+1D17A (ajv's patterns are
 * Unicode: `\u{…}` names a code point past U+FFFF). What scripts and emoji need stays: the joiners U+200C/U+200D (Persian and
 * Indic words, emoji sequences), the tag characters (subdivision flags: 🏴 and tags is
 * Scotland's) and U+180E (Mongolian): a focused check found those ids refused once, which
 * locked out players stored under them, and the variation selectors (❤️ is U+2764 U+FE0F).
 * Other blanks that are letters or symbols of a script (U+2800, the braille blank), the
 * combining grapheme joiner U+034F and the Egyptian hieroglyph format controls (their scripts
 * use them), the ideographic variation selectors U+E0100–U+E01EF (CJK variants) and spaces
 * (U+00A0, U+3000…, as the ASCII space) stay too: this is the set that has no use in an id. One range per class keeps the pattern linear.
 */
export const NOT_IN_IDS =
  '\\u0000-\\u001f\\u007f-\\u009f\\u00ad\\u061c\\u115f\\u1160\\u17b4\\u17b5\\u200b\\u200e\\u200f\\u2028-\\u202e' +
  '\\u2060-\\u2064\\u2066-\\u206f\\u3164\\ufeff\\uffa0\\ufff9-\\ufffb\\u{1bca0}-\\u{1bca3}\\u{1d173}-\\u{1d17a}';

/**
 * The characters no id (userId, externalId, distinct_id…) may hold, as the body of a JSON
 * Schema pattern's character class: C0 and DEL, C1 (U+0080–U+009F: U+0085 is a line break to
 * many log readers), the line and paragraph separators U+2028/U+2029, and the bidi controls
 * (U+061C, U+200E/U+200F, U+202A–U+202E, U+2066–U+2069), which make `\u202egnp.exe` read as
 * `exe.png` in the console and in logs. Only C0 and DEL were refused (hostile probe), though
 * the docs promise ids without control characters. Also the characters that show as nothing
 * (the second hostile probe: `bob` and `bob\u200b` were two users that look the same in the
 * console): the soft hyphen U+00AD, U+180E, the zero-width space U+200B, U+2060–U+2064, the
 * byte order mark U+FEFF, the Hangul fillers U+3164/U+FFA0, the interlinear annotation marks
 * U+FFF9–U+FFFB and the tag characters U+E0000–U+E007F. The joiners U+200C/U+200D stay: Persian
 * and Indic words and emoji sequences need them. One range per class keeps the pattern linear;
 * patterns are compiled as Unicode (ajv), so `\u{…}` names an astral code point.
 */
export const NOT_IN_IDS =
  '\\u0000-\\u001f\\u007f-\\u009f\\u00ad\\u061c\\u180e\\u200b\\u200e\\u200f\\u2028-\\u202e\\u2060-\\u2064\\u2066-\\u2069' +
  '\\u3164\\ufeff\\uffa0\\ufff9-\\ufffb\\u{e0000}-\\u{e007f}';

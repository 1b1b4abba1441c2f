/**
 * The characters no id (userId, externalId, distinct_id…) may hold, as the body of a JSON
 * Schema pattern's character class: C0 and DEL, C1 (U+0080–U+009F: U+0085 is a line break to
 * many log readers), the line and paragraph separators U+2028/U+2029, and the bidi controls
 * (U+061C, U+200E/U+200F, U+202A–U+202E, U+2066–U+2069), which make `\u202egnp.exe` read as
 * `exe.png` in the console and in logs. Only C0 and DEL were refused (hostile probe), though
 * the docs promise ids without control characters. One range per class keeps the pattern
 * linear.
 */
export const NOT_IN_IDS = '\\u0000-\\u001f\\u007f-\\u009f\\u061c\\u200e\\u200f\\u2028-\\u202e\\u2066-\\u2069';

import { deflateRawSync, deflateSync, gzipSync } from 'node:zlib';
import fc from 'fast-check';

/**
 * Shared building blocks of the fuzz suite: nasty JSON values (as *text*, so that what
 * JSON.stringify would never write — `-0`, `1e999`, duplicate or `__proto__` keys,
 * 10,000 levels of nesting — can be sent), path spellings, headers and body encodings.
 */

/** A JSON value carried as text: inserted verbatim when a body is written. */
export class RawJson {
  constructor(readonly text: string) {}
}

export const PROTO_KEYS = ['__proto__', 'constructor', 'prototype'] as const;

/** Writes `value` as JSON text; RawJson goes in verbatim, so anything can be smuggled in. */
export function jsonText(value: unknown): string {
  if (value instanceof RawJson) return value.text;
  if (Array.isArray(value)) return `[${value.map(jsonText).join(',')}]`;
  if (value instanceof Map) {
    // Ordered pairs, duplicates and any key allowed.
    return `{${[...(value as Map<unknown, unknown>).entries()].map(([k, v]) => `${JSON.stringify(String(k instanceof RawJson ? k.text : k))}:${jsonText(v)}`).join(',')}}`;
  }
  if (value !== null && typeof value === 'object') {
    return `{${Object.entries(value)
      .map(([k, v]) => `${JSON.stringify(k)}:${jsonText(v)}`)
      .join(',')}}`;
  }
  if (value === undefined) return 'null';
  return JSON.stringify(value);
}

/** Nesting built iteratively as a string: `[[[…]]]` or `{"a":{"a":…}}`, closed or not. */
export const deepJson = fc
  .record({
    depth: fc.oneof(
      { weight: 1, arbitrary: fc.integer({ min: 1, max: 64 }) },
      { weight: 2, arbitrary: fc.integer({ min: 64, max: 10_000 }) },
      { weight: 1, arbitrary: fc.constantFrom(9, 10, 100, 1000, 5000, 8000, 10_000) },
    ),
    kind: fc.constantFrom('array', 'object', 'mixed'),
    closed: fc.oneof(
      { weight: 4, arbitrary: fc.constant(true) },
      { weight: 1, arbitrary: fc.constant(false) },
    ),
  })
  .map(({ depth, kind, closed }) => {
    const open =
      kind === 'array'
        ? '['.repeat(depth)
        : kind === 'object'
          ? '{"a":'.repeat(depth)
          : '[{"a":'.repeat(depth);
    const inner = '1';
    const close =
      kind === 'array' ? ']'.repeat(depth) : kind === 'object' ? '}'.repeat(depth) : '}]'.repeat(depth);
    return new RawJson(`${open}${inner}${closed ? close : close.slice(0, Math.floor(close.length / 2))}`);
  });

/** Numbers at the edges of what JSON and IEEE 754 can carry. */
export const hugeNumber = fc.constantFrom(
  new RawJson('1e308'),
  new RawJson('-1e308'),
  new RawJson('1e999'),
  new RawJson('-0'),
  new RawJson('-0.0'),
  new RawJson('9007199254740993'),
  new RawJson('-9007199254740993'),
  new RawJson('123456789012345678901234567890123456789012345678901234567890'),
  new RawJson(`1${'0'.repeat(400)}`),
  new RawJson(`0.${'0'.repeat(400)}1`),
  new RawJson('5e-324'),
  new RawJson('1E+2'),
  new RawJson('0.1e-9999'),
);

/** Characters that break naive code: controls, NUL, lone and paired surrogates, bidi, BOM, non-characters. */
const nastyChar = fc.constantFrom(
  '\u0000',
  '\u0001',
  '\u001f',
  '\u007f',
  '\n',
  '\r',
  '\t',
  '\b',
  '\ud800',
  '\udfff',
  '\udc00\ud800',
  '\ud83d\ude00',
  '\u202e',
  '\ufeff',
  '\uffff',
  '\ufffe',
  '\u2028',
  '\u0130',
  'ß',
  '"',
  '\\',
  '/',
  '%',
  '{{',
  '}}',
  '<script>',
  '../',
  "'",
  '$',
  '.',
);

export const nastyString = fc.oneof(
  { weight: 3, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 3, arbitrary: fc.array(nastyChar, { maxLength: 12 }).map((a) => a.join('')) },
  {
    weight: 1,
    arbitrary: fc.constantFrom('', ' ', 'null', 'true', '0', '-1', 'NaN', 'Infinity', 'undefined'),
  },
  {
    weight: 1,
    arbitrary: fc
      .record({
        c: fc.constantFrom('a', '\u00e9', '\ud83d\ude00', '\u0000'),
        n: fc.constantFrom(256, 5000, 70_000),
      })
      .map(({ c, n }) => c.repeat(n)),
  },
  { weight: 1, arbitrary: fc.constantFrom(...PROTO_KEYS) },
);

/** A string written with control characters *unescaped* inside the quotes: invalid JSON. */
export const rawControlString = fc
  .constantFrom('\u0000', '\u0001', '\n', '\u001f', '\t')
  .map((c) => new RawJson(`"a${c}b"`));

/** An object whose keys include `__proto__`, `constructor` or `prototype` (as text, so the key is real). */
export const protoObject = fc
  .record({
    key: fc.constantFrom(...PROTO_KEYS),
    value: fc.constantFrom<unknown>({ polluted: true }, { isAdmin: true }, 1, null, [], 'x'),
    depth: fc.integer({ min: 0, max: 4 }),
  })
  .map(({ key, value, depth }) => {
    let node = new RawJson(`{${JSON.stringify(key)}:${jsonText(value)}}`);
    for (let i = 0; i < depth; i++) node = new RawJson(`{"n${i}":${node.text}}`);
    return node;
  });

/** Any JSON value a client could send where one thing was expected. */
export const wrongValue: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constant(null),
    fc.boolean(),
    fc.integer(),
    fc.double(),
    hugeNumber,
    nastyString,
    rawControlString,
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(nastyString, tie('value'), { maxKeys: 4 }),
    deepJson,
    protoObject,
  ),
})).value;

/** Replaces one field of `template` (or adds one), so validation past the first check is reached. */
export function mutatedObject(template: Record<string, unknown>): fc.Arbitrary<Map<string, unknown>> {
  const keys = Object.keys(template);
  return fc
    .record({
      op: fc.constantFrom('replace', 'replace', 'replace', 'drop', 'add', 'proto', 'dup', 'keep'),
      key: fc.constantFrom(...keys),
      value: wrongValue,
      extraKey: fc.oneof(nastyString, fc.constantFrom(...PROTO_KEYS)),
      protoAt: fc.constantFrom(...PROTO_KEYS),
    })
    .map(({ op, key, value, extraKey, protoAt }) => {
      const m = new Map<string, unknown>(Object.entries(template));
      if (op === 'replace') m.set(key, value);
      else if (op === 'drop') m.delete(key);
      else if (op === 'add') m.set(extraKey, value);
      else if (op === 'proto') m.set(protoAt, { polluted: true });
      else if (op === 'dup') {
        // A duplicate key: the text has it twice; the parser keeps the last.
        m.set(`${key}`, template[key]);
        m.set(new RawJson(key) as unknown as string, value);
      }
      return m;
    });
}

/** A body text: mostly a mutated template, sometimes not JSON at all. */
export function bodyText(valid: fc.Arbitrary<unknown>): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 50, arbitrary: valid.map(jsonText) },
    { weight: 5, arbitrary: wrongValue.map(jsonText) },
    {
      weight: 10,
      arbitrary: fc.constantFrom(
        '',
        '{',
        '}',
        '{"a":1,}',
        '[1,]',
        "{'a':1}",
        '{"a":1}{"b":2}',
        'null',
        'true',
        '"str"',
        '0',
        'NaN',
        '{"a":undefined}',
        '\ufeff{}',
        '/*c*/{}',
        '{"a":1',
        '{"\\ud800":1}',
        '{"a":"\\x41"}',
        '{"a":"\\u12"}',
        '[{"a":1}]',
        '  \n\t ',
      ),
    },
    { weight: 5, arbitrary: deepJson.map((d) => d.text) },
    { weight: 5, arbitrary: fc.string({ unit: 'binary', maxLength: 60 }) },
    // Over http.bodyLimit (1 MB): a 413, in the family's envelope.
    {
      weight: 1,
      arbitrary: fc.constantFrom(1_100_000, 3_000_000).map((n) => `{"userId":"${'a'.repeat(n)}"}`),
    },
  );
}

/** What a body text is, for reports: not JSON, deeply nested, with prototype keys. */
export function textTags(text: string): string[] {
  const tags: string[] = [];
  try {
    JSON.parse(text);
  } catch {
    tags.push('json:invalid');
  }
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '[' || c === '{') max = Math.max(max, ++depth);
    else if (c === ']' || c === '}') depth--;
  }
  if (max > 1000) tags.push('json:depth>1000');
  else if (max > 64) tags.push('json:depth>64');
  if (/"(__proto__|constructor|prototype)"\s*:/.test(text)) tags.push('json:proto-key');
  return tags;
}

/** How the body goes on the wire: content type, charset, encoding — and whether the encoding is honest. */
export interface Encoded {
  headers: [string, string][];
  body: Buffer;
  tags: string[];
}

const contentTypes = fc.constantFrom<string | null>(
  'application/json',
  'application/json',
  'application/json',
  'application/json; charset=utf-8',
  'application/json; charset=UTF-8',
  'application/json; charset=utf-16',
  'application/json; charset=utf-16le',
  'application/json; charset=latin1',
  'application/json; charset=x-unknown',
  'application/JSON',
  'application/vnd.api+json',
  'application/merge-patch+json',
  'text/plain',
  'text/json',
  'text/html',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/octet-stream',
  'application/xml',
  ';;;',
  'json',
  '*/*',
  null,
);

const encodings = fc.constantFrom(
  'none',
  'none',
  'none',
  'none',
  'none',
  'gzip',
  'gzip-truncated',
  'gzip-garbage',
  'deflate',
  'deflate-raw',
  'deflate-garbage',
  'br-garbage',
  'identity',
  'zstd',
  'x-unknown',
  'gzip, gzip',
  'GZIP',
  'gzip-empty',
);

export function encodeBody(text: fc.Arbitrary<string>): fc.Arbitrary<Encoded> {
  return fc
    .record({
      text,
      type: contentTypes,
      encoding: encodings,
      lengthHeader: fc.constantFrom('exact', 'exact', 'chunked'),
      utf16: fc.boolean(),
    })
    .map(({ text, type, encoding, lengthHeader, utf16 }) => {
      const headers: [string, string][] = [];
      const tags: string[] = textTags(text);
      let body = type && /utf-16/i.test(type) && utf16 ? Buffer.from(text, 'utf16le') : Buffer.from(text);
      if (type !== null) headers.push(['Content-Type', type]);
      if (encoding !== 'none') {
        tags.push(`encoding:${encoding}`);
        const ce = {
          gzip: 'gzip',
          'gzip-truncated': 'gzip',
          'gzip-garbage': 'gzip',
          'gzip-empty': 'gzip',
          deflate: 'deflate',
          'deflate-raw': 'deflate',
          'deflate-garbage': 'deflate',
          'br-garbage': 'br',
          identity: 'identity',
          zstd: 'zstd',
          'x-unknown': 'x-unknown',
          'gzip, gzip': 'gzip, gzip',
          GZIP: 'GZIP',
        }[encoding] as string;
        headers.push(['Content-Encoding', ce]);
        if (encoding === 'gzip' || encoding === 'GZIP') body = gzipSync(body);
        else if (encoding === 'gzip-truncated')
          body = gzipSync(body).subarray(0, Math.max(1, gzipSync(body).length - 6));
        else if (encoding === 'gzip-garbage')
          body = Buffer.concat([Buffer.from([0x1f, 0x8b, 0x08, 0x00]), body]);
        else if (encoding === 'gzip-empty') body = Buffer.alloc(0);
        else if (encoding === 'deflate') body = deflateSync(body);
        else if (encoding === 'deflate-raw') body = deflateRawSync(body);
        else if (encoding === 'deflate-garbage' || encoding === 'br-garbage')
          body = Buffer.concat([Buffer.from('\x78\x9c\xff\xfe'), body]);
        else if (encoding === 'gzip, gzip') body = gzipSync(gzipSync(body));
      }
      if (type && !/^application\/json/i.test(type)) tags.push(`type:${type}`);
      if (lengthHeader === 'exact') headers.push(['Content-Length', String(body.length)]);
      else {
        headers.push(['Transfer-Encoding', 'chunked']);
        tags.push('chunked');
      }
      // node:http frames the body itself once the header says chunked.
      return { headers, body, tags };
    });
}

/** Methods beyond the route's own. */
export const oddMethod = fc.constantFrom(
  'PATCH',
  'DELETE',
  'PUT',
  'PROPFIND',
  'OPTIONS',
  'HEAD',
  'TRACE',
  'MKCOL',
  'GET',
  'POST',
  'get',
  'Post',
);

/** Spellings of one path that a router, a guard and a family decision may read differently. */
export function pathVariant(path: string): fc.Arbitrary<{ path: string; canonical: boolean; tag: string }> {
  const segs = path.split('/').slice(1);
  const first = segs[0] ?? '';
  const rest = segs.slice(1).join('/');
  const encodeFirstChar = (s: string) => `%${s.charCodeAt(0).toString(16)}${s.slice(1)}`;
  const variants: [string, string][] = [
    [path, 'exact'],
    [path.toUpperCase(), 'upper'],
    [`/${first.toUpperCase()}/${rest}`, 'upper-first'],
    [`/${first.charAt(0).toUpperCase()}${first.slice(1)}/${rest}`, 'capitalized'],
    [`/${path}`, 'double-slash'],
    [`/${first}//${rest}`, 'inner-double-slash'],
    [`/${encodeFirstChar(first)}/${rest}`, 'percent-first-char'],
    [`/${encodeFirstChar(first).toUpperCase()}/${rest}`, 'percent-upper'],
    [`/${first}/./${rest}`, 'dot-segment'],
    [`/${first}/../${first}/${rest}`, 'dot-dot'],
    [`/x/../${first}/${rest}`, 'dot-dot-first'],
    [`${path}/`, 'trailing-slash'],
    [`${path}//`, 'trailing-double-slash'],
    [`/${first}%2F${rest}`, 'encoded-slash'],
    [`/${first}%2f${rest}`, 'encoded-slash-lower'],
    [`/${first}/${rest}%00`, 'nul'],
    [`/${first}/${rest};x=1`, 'matrix'],
    [`/${first}/${rest}%20`, 'space'],
    [`/${first}%252F${rest}`, 'double-encoded-slash'],
    [`/./${first}/${rest}`, 'leading-dot'],
    [`/${first}\\${rest}`, 'backslash'],
    [`http://127.0.0.1${path}`, 'absolute-form'],
  ];
  return fc.constantFrom(...variants).map(([p, tag]) => ({ path: p, canonical: tag === 'exact', tag }));
}

/** Query strings with repeated, empty, encoded and oversized parameters. */
export function queryOf(params: fc.Arbitrary<[string, string][]>): fc.Arbitrary<string> {
  return params.map((pairs) =>
    pairs.length === 0
      ? ''
      : `?${pairs.map(([k, v]) => `${encodeComponent(k)}=${encodeQueryValue(v)}`).join('&')}`,
  );
}

/** Encodes like a browser, but lets `%` sequences through sometimes (`%zz`, `%00`, `%C0%AF`). */
function encodeQueryValue(v: string): string {
  if (v.startsWith('%%raw:')) return v.slice(6);
  return encodeComponent(v);
}

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/**
 * encodeURIComponent, except that a lone surrogate (which it refuses) goes out as the
 * bytes WTF-8 would give it (`%ED%A0%80`): invalid UTF-8 for the server to decode.
 */
export function encodeComponent(s: string): string {
  return s
    .split(LONE_SURROGATE)
    .map(encodeURIComponent)
    .reduce((acc, part, i) => {
      if (i === 0) return part;
      const c = (s.match(LONE_SURROGATE) ?? [])[i - 1]?.charCodeAt(0) ?? 0xfffd;
      const bytes = [0xe0 | (c >> 12), 0x80 | ((c >> 6) & 0x3f), 0x80 | (c & 0x3f)];
      return `${acc}${bytes.map((b) => `%${b.toString(16).toUpperCase()}`).join('')}${part}`;
    }, '');
}

export const rawQueryValue = fc.constantFrom(
  '%%raw:%zz',
  '%%raw:%00',
  '%%raw:%C0%AF',
  '%%raw:%',
  '%%raw:%E2%82',
  '%%raw:a+b',
  '%%raw:%2e%2e%2f',
);

export const queryValue = fc.oneof(
  { weight: 4, arbitrary: nastyString },
  { weight: 1, arbitrary: rawQueryValue },
  {
    weight: 1,
    arbitrary: fc.constantFrom('1e308', '-0', '9007199254740993', '0x10', '1.0', '01', ' 1', '1 ', '+1', ''),
  },
);

/** Header abuse added to a request: huge, many, duplicate, odd. */
export interface HeaderAbuse {
  headers: [string, string][];
  /** 431 (or a parser 400) is then a correct answer. */
  protocolError: boolean;
  tag: string | null;
}

export const headerAbuse: fc.Arbitrary<HeaderAbuse> = fc.oneof(
  { weight: 24, arbitrary: fc.constant<HeaderAbuse>({ headers: [], protocolError: false, tag: null }) },
  {
    weight: 1,
    arbitrary: fc.integer({ min: 17_000, max: 80_000 }).map<HeaderAbuse>((n) => ({
      headers: [['X-Huge', 'a'.repeat(n)]],
      protocolError: true,
      tag: 'huge-header',
    })),
  },
  {
    weight: 1,
    arbitrary: fc.integer({ min: 100, max: 1500 }).map<HeaderAbuse>((n) => ({
      headers: Array.from({ length: n }, (_, i) => [`X-Many-${i}`, 'v'] as [string, string]),
      // 1500 × ~14 bytes can pass 16 KB: the generator cannot know where the limit is.
      protocolError: n * 16 > 14_000,
      tag: 'many-headers',
    })),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom<HeaderAbuse>(
      { headers: [['Cookie', 'a=b; '.repeat(4000)]], protocolError: true, tag: 'huge-cookie' },
      {
        headers: [
          ['Accept', '*/*'],
          ['Accept', 'application/xml'],
        ],
        protocolError: false,
        tag: 'dup-accept',
      },
      { headers: [['Accept', 'text/html']], protocolError: false, tag: 'accept-html' },
      { headers: [['Accept-Encoding', 'gzip, br']], protocolError: false, tag: 'accept-encoding' },
      { headers: [['Expect', '100-continue']], protocolError: false, tag: 'expect' },
      { headers: [['Expect', 'something-else']], protocolError: true, tag: 'bad-expect' },
      { headers: [['X-Forwarded-For', '5.9.0.1, 8.8.8.8']], protocolError: false, tag: 'xff' },
      { headers: [['X-Forwarded-For', 'not-an-ip']], protocolError: false, tag: 'xff-garbage' },
      { headers: [['Origin', 'https://evil.example']], protocolError: false, tag: 'origin' },
      { headers: [['X-Request-Id', 'forged']], protocolError: false, tag: 'forged-request-id' },
      {
        headers: [
          ['Content-Type', 'application/json'],
          ['Content-Type', 'text/plain'],
        ],
        protocolError: false,
        tag: 'dup-content-type',
      },
      { headers: [['Connection', 'close']], protocolError: false, tag: 'connection-close' },
      { headers: [['User-Agent', '\u00e9\u00ff'.repeat(100)]], protocolError: false, tag: 'latin1-ua' },
    ),
  },
);

export const uid = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom('u-1', 'earner-1', 'player-1', 'cheater', 'journeyer-1') },
  { weight: 2, arbitrary: nastyString },
);

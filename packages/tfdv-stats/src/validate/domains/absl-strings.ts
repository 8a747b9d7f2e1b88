// The absl string helpers TFDV's domain checks rely on: SimpleAtoi (int64), SimpleAtof (float) and
// Utf8SafeCEscape, so that "is this label an int / a float" and the quoted values match TFDV exactly.

// absl trims ASCII whitespace only.
const ASCII_SPACE = /^[ \t\n\v\f\r]+|[ \t\n\v\f\r]+$/g;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** absl::SimpleAtoi into an int64: optional sign, decimal digits, surrounding whitespace; undefined if not one. */
export function simpleAtoi(text: string): bigint | undefined {
  const s = text.replace(ASCII_SPACE, '');
  if (!/^[+-]?[0-9]+$/.test(s)) return undefined;
  const v = BigInt(s);
  return v < INT64_MIN || v > INT64_MAX ? undefined : v;
}

// std::from_chars (general format) as absl implements it: decimal or exponent notation, inf/infinity, nan(...).
const FLOAT_TEXT = /^-?(?:(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?|inf(?:inity)?|nan(?:\([0-9A-Za-z_]*\))?)$/i;

/** absl::SimpleAtof: the float value of the text, or undefined when it is not entirely a float. */
export function simpleAtof(text: string): number | undefined {
  let s = text.replace(ASCII_SPACE, '');
  // SimpleAtof also takes a leading '+', but not "+-".
  if (s.startsWith('+')) {
    s = s.slice(1);
    if (s.startsWith('-')) return undefined;
  }
  if (!FLOAT_TEXT.test(s)) return undefined;
  const negative = s.startsWith('-');
  const body = (negative ? s.slice(1) : s).toLowerCase();
  if (body.startsWith('nan')) return NaN;
  if (body.startsWith('inf')) return negative ? -Infinity : Infinity;
  // Out-of-range magnitudes become ±inf (or 0), as SimpleAtof reports them.
  return Math.fround(Number(s));
}

/** absl::Utf8SafeCEscape: C escapes for quotes, backslash and control bytes; UTF-8 passes through. */
export function utf8SafeCEscape(s: string): string {
  let out = '';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (ch === '"') out += '\\"';
    else if (ch === "'") out += "\\'";
    else if (ch === '\\') out += '\\\\';
    else if (c < 0x20 || c === 0x7f) out += `\\${c.toString(8).padStart(3, '0')}`;
    else out += ch;
  }
  return out;
}

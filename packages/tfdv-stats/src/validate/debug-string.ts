// C++ Message::DebugString() in the classic protobuf text format (set fields in field-number order,
// `name: value` lines, `name {` blocks, two-space indent, UTF-8 kept, C escapes otherwise), which TFDV embeds in
// one anomaly description. protobuf-es' toText follows txtpbfmt (`name: {`), so it cannot be used here.
import { type DescField, type DescMessage, type Message, ScalarType } from '@bufbuild/protobuf';
import { type ReflectMessage, reflect } from '@bufbuild/protobuf/reflect';

function cEscape(s: string): string {
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

/** printf("%.<p>g", x). */
function gFormat(x: number, precision: number): string {
  const [mantissa, exp] = x.toExponential(precision - 1).split('e') as [string, string];
  const e = Number(exp);
  if (e < -4 || e >= precision) {
    const m = mantissa.includes('.') ? mantissa.replace(/0+$/, '').replace(/\.$/, '') : mantissa;
    return `${m}e${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`;
  }
  const fixed = x.toFixed(Math.max(0, precision - 1 - e));
  return fixed.includes('.') ? fixed.replace(/0+$/, '').replace(/\.$/, '') : fixed;
}

/** SimpleDtoa / SimpleFtoa: the shorter of %.15g / %.17g (%.6g / %.9g for float) that reads back the same. */
function shortestRoundTrip(x: number, isFloat: boolean): string {
  if (Number.isNaN(x)) return 'nan';
  if (x === Infinity) return 'inf';
  if (x === -Infinity) return '-inf';
  const [short, long] = isFloat ? [6, 9] : [15, 17];
  const s = gFormat(x, short);
  const back = isFloat ? Math.fround(Number(s)) : Number(s);
  return back === x ? s : gFormat(x, long);
}

function scalarText(field: DescField, value: unknown): string {
  if (field.fieldKind === 'enum' || (field.fieldKind === 'list' && field.listKind === 'enum')) {
    const e = field.enum!;
    return e.values.find((v) => v.number === value)?.name ?? String(value);
  }
  switch (field.scalar) {
    case ScalarType.STRING:
      return `"${cEscape(value as string)}"`;
    case ScalarType.BYTES:
      return `"${[...(value as Uint8Array)].map((b) => (b >= 0x20 && b < 0x7f && b !== 0x22 && b !== 0x27 && b !== 0x5c ? String.fromCharCode(b) : `\\${b.toString(8).padStart(3, '0')}`)).join('')}"`;
    case ScalarType.DOUBLE:
      return shortestRoundTrip(value as number, false);
    case ScalarType.FLOAT:
      return shortestRoundTrip(Math.fround(value as number), true);
    default:
      return String(value);
  }
}

function printMessage(r: ReflectMessage, indent: string): string {
  let out = '';
  for (const field of r.sortedFields) {
    if (!r.isSet(field)) continue;
    const value = r.get(field) as unknown;
    const values: unknown[] = field.fieldKind === 'list' ? [...(value as Iterable<unknown>)] : [value];
    for (const v of values) {
      const isMessage = field.fieldKind === 'message' || (field.fieldKind === 'list' && field.listKind === 'message');
      out += isMessage
        ? `${indent}${field.name} {\n${printMessage(v as ReflectMessage, `${indent}  `)}${indent}}\n`
        : `${indent}${field.name}: ${scalarText(field, v)}\n`;
    }
  }
  return out;
}

export function debugString(schema: DescMessage, message: Message): string {
  return printMessage(reflect(schema, message), '');
}

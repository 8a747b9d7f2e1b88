// The C++/absl formatting and parsing rules TFDV's texts depend on, pinned against glibc printf and absl
// behaviour (expected strings are what `printf("%g")` / `printf("%f")` print for these doubles).
import { create } from '@bufbuild/protobuf';
import { describe, expect, it } from 'vitest';
import { FeatureSchema, FeatureType, FloatDomainSchema, StringDomainSchema } from '../src/protos.ts';
import { int64FromDouble, printfFixed, sixDigits } from '../src/validate/absl-format.ts';
import { debugString } from '../src/validate/debug-string.ts';
import { simpleAtof, simpleAtoi, utf8SafeCEscape } from '../src/validate/domains/absl-strings.ts';
import { FeaturePath } from '../src/validate/path.ts';

describe('absl::SixDigits', () => {
  it.each([
    [0.25, '0.25'],
    [1, '1'],
    [45 / 66, '0.681818'],
    [10036 / 4966, '2.02094'],
    [0.012277129468474923, '0.0122771'],
    [0.000917362998174601, '0.000917363'],
    [1e6, '1e+06'],
    [999999.5, '1e+06'],
    [123456.5, '123456'], // a tie rounds to even
    [12345.25, '12345.2'],
    [1234565, '1.23456e+06'],
    [1.5e-5, '1.5e-05'],
    [0.0001, '0.0001'],
    [1e100, '1e+100'],
    [-3.25, '-3.25'],
    [Math.fround(0.1), '0.1'],
    [0, '0'],
    [Infinity, 'inf'],
    [-Infinity, '-inf'],
    [NaN, 'nan'],
  ])('%s prints as %s', (x, s) => {
    expect(sixDigits(x)).toBe(s);
  });
});

describe('printf %f', () => {
  it.each([
    [1, '1.000000'],
    [10000 / 10036, '0.996413'],
    [0.0078125, '0.007812'], // exactly halfway: to even
    [2.5e-7, '0.000000'],
    [123456789.123, '123456789.123000'],
    [-0.5, '-0.500000'],
  ])('%s prints as %s', (x, s) => {
    expect(printfFixed(x)).toBe(s);
  });
});

describe('static_cast<int64>(double)', () => {
  it('truncates toward zero, and gives INT64_MIN for NaN and out-of-range values as x86-64 does', () => {
    expect(int64FromDouble(-2.9)).toBe(-2n);
    expect(int64FromDouble(17031241728)).toBe(17031241728n);
    expect(int64FromDouble(NaN)).toBe(-(2n ** 63n));
    expect(int64FromDouble(1e300)).toBe(-(2n ** 63n));
  });
});

describe('absl::SimpleAtoi / SimpleAtof', () => {
  it('reads int64 with sign and surrounding whitespace only', () => {
    expect(simpleAtoi(' +42\n')).toBe(42n);
    expect(simpleAtoi('-9223372036854775808')).toBe(-(2n ** 63n));
    expect(simpleAtoi('9223372036854775808')).toBeUndefined();
    for (const s of ['', '1.0', '0x10', '1_000', '- 1', '1e3']) expect(simpleAtoi(s)).toBeUndefined();
  });

  it('reads floats at float precision, with inf/nan spellings', () => {
    expect(simpleAtof('1.5')).toBe(1.5);
    expect(simpleAtof(' 0.1 ')).toBe(Math.fround(0.1));
    expect(simpleAtof('+.5e1')).toBe(5);
    expect(simpleAtof('-Infinity')).toBe(-Infinity);
    expect(simpleAtof('1e40')).toBe(Infinity);
    expect(simpleAtof('NaN')).toBeNaN();
    expect(simpleAtof('nan(123)')).toBeNaN();
    for (const s of ['', '.', '+-1', '1e', '0x1p3', 'one']) expect(simpleAtof(s)).toBeUndefined();
  });

  it('escapes quotes, backslashes and control characters, keeping UTF-8', () => {
    expect(utf8SafeCEscape(`a"b'c\\d\n\t\u0001\u007fé`)).toBe(`a\\"b\\'c\\\\d\\n\\t\\001\\177é`);
  });
});

describe('Path serialization', () => {
  it.each([
    [['a'], 'a'],
    [['a', 'b'], 'a.b'],
    [['a.b'], "'a.b'"],
    [["it's"], "'it''s'"],
    [['(ext.field)'], '(ext.field)'],
    [['(a(b))'], "'(a(b))'"],
    [[''], "''"],
  ])('%j serializes as %s', (steps, s) => {
    expect(new FeaturePath(steps).serialize()).toBe(s);
  });

  it('orders step by step, shorter prefix first', () => {
    const sorted = [['b'], ['a', 'z'], ['a'], ['a', 'b']].map((s) => new FeaturePath(s)).sort((x, y) => x.compare(y));
    expect(sorted.map((p) => p.serialize())).toEqual(['a', 'a.b', 'a.z', 'b']);
  });
});

describe('C++ DebugString', () => {
  it('prints set fields in field-number order, nested blocks without a colon', () => {
    const f = create(FeatureSchema, { name: 'img', type: FeatureType.BYTES, domainInfo: { case: 'floatDomain', value: create(FloatDomainSchema, { min: 0.1, max: 1e30 }) } });
    expect(debugString(FeatureSchema, f)).toBe('name: "img"\ntype: BYTES\nfloat_domain {\n  min: 0.1\n  max: 1e+30\n}\n');
    const d = create(StringDomainSchema, { name: 'q"', value: ['a', 'b'] });
    expect(debugString(StringDomainSchema, d)).toBe('name: "q\\""\nvalue: "a"\nvalue: "b"\n');
  });
});

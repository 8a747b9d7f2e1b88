// Number formatting as TFDV's C++ prints it into anomaly descriptions:
// - absl::SixDigits / absl::StrCat(double): %g-like, six significant digits, trailing zeros dropped, exponent
//   form (`1e+06`, `1.5e-05`) outside [1e-4, 1e6); ties round half to even on the exact binary value;
// - printf("%f"): six decimals, ties half to even on the exact binary value (glibc).
// Both work from the exact decimal expansion of the double, so no JavaScript rounding mode leaks in.

const F64 = new Float64Array(1);
const U64 = new BigUint64Array(F64.buffer);

/** The exact value of a finite, positive double as `digits × 10^scale`. */
function exactDecimal(x: number): { digits: bigint; scale: number } {
  F64[0] = x;
  const bits = U64[0]!;
  const biasedExponent = Number((bits >> 52n) & 0x7ffn);
  const fraction = bits & 0xfffffffffffffn;
  const mantissa = biasedExponent === 0 ? fraction : fraction | (1n << 52n);
  const exponent = (biasedExponent === 0 ? 1 : biasedExponent) - 1075;
  if (exponent >= 0) return { digits: mantissa << BigInt(exponent), scale: 0 };
  // m × 2^-k = m × 5^k / 10^k
  return { digits: mantissa * 5n ** BigInt(-exponent), scale: exponent };
}

/** `n / 10^drop` rounded half to even. */
function roundHalfEven(n: bigint, drop: number): bigint {
  if (drop <= 0) return n * 10n ** BigInt(-drop);
  const divisor = 10n ** BigInt(drop);
  const q = n / divisor;
  const r = n % divisor;
  const twice = 2n * r;
  if (twice > divisor || (twice === divisor && q % 2n === 1n)) return q + 1n;
  return q;
}

function stripFraction(s: string): string {
  if (!s.includes('.')) return s;
  return s.replace(/0+$/, '').replace(/\.$/, '');
}

/** absl::SixDigits(x), which is also how absl::StrCat prints a double or a float. */
export function sixDigits(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (x === 0) return Object.is(x, -0) ? '-0' : '0';
  const sign = x < 0 ? '-' : '';
  const v = Math.abs(x);
  if (v === Infinity) return `${sign}inf`;
  const { digits, scale } = exactDecimal(v);
  const length = digits.toString().length;
  let six = roundHalfEven(digits, length - 6);
  let exp10 = length - 1 + scale;
  if (six === 1000000n) {
    six = 100000n;
    exp10 += 1;
  }
  const d = six.toString();
  if (exp10 >= -4 && exp10 <= 5) {
    const body = exp10 >= 0 ? `${d.slice(0, exp10 + 1)}.${d.slice(exp10 + 1)}` : `0.${'0'.repeat(-exp10 - 1)}${d}`;
    return sign + stripFraction(body);
  }
  const mantissa = stripFraction(`${d[0]}.${d.slice(1)}`);
  const e = Math.abs(exp10);
  return `${sign}${mantissa}e${exp10 < 0 ? '-' : '+'}${e < 10 ? `0${e}` : e}`;
}

/** printf("%f", x): six digits after the decimal point. */
export function printfFixed(x: number): string {
  if (Number.isNaN(x)) return Math.sign(x) < 0 ? '-nan' : 'nan';
  const sign = x < 0 || Object.is(x, -0) ? '-' : '';
  const v = Math.abs(x);
  if (v === Infinity) return `${sign}inf`;
  if (v === 0) return `${sign}0.000000`;
  const { digits, scale } = exactDecimal(v);
  const micros = roundHalfEven(digits, -scale - 6).toString().padStart(7, '0');
  return `${sign}${micros.slice(0, -6)}.${micros.slice(-6)}`;
}

/**
 * C++'s static_cast<int64>(double): truncation toward zero. Out-of-range values and NaN are undefined behaviour
 * in C++; x86-64 (where TFDV runs) yields INT64_MIN for them, and so does this.
 */
export function int64FromDouble(x: number): bigint {
  return x >= -(2 ** 63) && x < 2 ** 63 ? BigInt(Math.trunc(x)) : -(2n ** 63n);
}

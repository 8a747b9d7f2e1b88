// Sampling primitives of the synthetic generator, written as plain SQL so that DuckDB does the work vectorised and
// nothing row-sized passes through JavaScript:
//   - a counter-based PRNG: each row's uniforms are a hash of (seed, row number, stream name), so a row's values
//     never depend on threads, batch boundaries or DuckDB's own (unspecified, version-dependent) hash();
//   - Walker/Vose alias tables for categorical draws (exact probabilities, one uniform, two list lookups);
//   - inverse-CDF quantile tables with linear interpolation for continuous draws.
// The hash is Chris Wellons' `lowbias32` (github.com/skeeto/hash-prospector): 32-bit multiply-xorshift, written in
// BIGINT arithmetic (3x faster in DuckDB than UBIGINT): a multiplier at or above 2^31 is used as M - 2^32, the same
// modulo 2^32, which keeps every 32x32-bit product inside a signed 64-bit integer. `lowbias32()` is the same
// function in TypeScript; a test checks the SQL against it, which is what makes the tables portable across DuckDB
// versions and machines.

const M1 = 0x7feb352d;
const M2 = 0x846ca68b;

/** lowbias32: a bijection on 32-bit unsigned integers with good avalanche. */
export function lowbias32(x: number): number {
  let h = x >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, M1) >>> 0;
  h ^= h >>> 15;
  h = Math.imul(h, M2) >>> 0;
  h ^= h >>> 16;
  return h >>> 0;
}

// Keys the row number before the seed enters, so that two seeds never give row sets that are permutations of
// each other (with `mix(i ^ seed)`, seeds 0 and 1 would produce the same multiset of rows).
const ROW_KEY = 0x68e31da4;

/** The 32-bit key a seed becomes (any safe integer; negative seeds and seeds above 2^32 are folded in). */
export function seedKey(seed: number): number {
  if (!Number.isSafeInteger(seed)) throw new RangeError(`seed: expected a safe integer, received ${seed}`);
  const lo = Number(BigInt.asUintN(32, BigInt(seed)));
  const hi = Number(BigInt.asUintN(32, BigInt(seed) >> 32n));
  return lowbias32(lo ^ lowbias32(hi ^ 0x2545f491));
}

/** The 32-bit constant of a named stream: a stream's draws stay the same when other streams are added. */
export function streamKey(name: string): number {
  let h = 0x811c9dc5;
  for (const ch of name) h = Math.imul(h ^ ch.codePointAt(0)!, 0x01000193) >>> 0; // FNV-1a
  return lowbias32(h);
}

/** The 32-bit draw of `stream` for row `row` under `seed`: what the SQL computes, in TypeScript. */
export function rowDraw(seed: number, row: number, stream: string): number {
  const base = lowbias32((lowbias32((row ^ ROW_KEY) >>> 0) ^ seedKey(seed)) >>> 0);
  return lowbias32((base ^ streamKey(stream)) >>> 0);
}

/** A uniform in (0, 1) from a 32-bit draw: never 0 or 1, so logs and inverse CDFs stay finite. */
export function toUniform(draw: number): number {
  return (draw + 0.5) / 4294967296;
}

const U = (n: number) => `${n >>> 0}`;
/** A 32-bit multiplier as a signed constant whose products with 32-bit values fit in BIGINT. */
const mulConst = (m: number) => `${m >= 2 ** 31 ? m - 2 ** 32 : m}`;

/**
 * lowbias32 as two projection layers and a closing expression. A step may read a *column* twice, but not an
 * expression (the tree would double per step), so each layer folds one xorshift into the multiply after it:
 * layer 1 `(x ^ x >> 16) * M1`, layer 2 `(y ^ y >> 15) * M2`, then `z ^ z >> 16` where the value is used.
 * `inputs` are SQL expressions over plain columns.
 */
function mixLayers(from: string, keep: readonly string[], inputs: readonly { name: string; expr: string }[]): string {
  const l1 = inputs.map(({ name, expr }) => `(xor(${expr}, ${expr} >> 16) * ${mulConst(M1)}) & 4294967295 AS ${name}`);
  const l2 = inputs.map(({ name }) => `(xor(${name}, ${name} >> 15) * ${mulConst(M2)}) & 4294967295 AS ${name}`);
  return `SELECT ${[...keep, ...l2].join(', ')} FROM (SELECT ${[...keep, ...l1].join(', ')} FROM (${from}))`;
}

/** The closing xorshift of lowbias32 on a column left by mixLayers. */
const closing = (c: string) => `xor(${c}, ${c} >> 16)`;

/**
 * A stream of uniforms: a name gives one 32-bit uniform per row; a pair of names shares one hash and gives two
 * 16-bit uniforms (high and low half), enough for coin flips and choices among a few options, at half the cost.
 */
export type StreamSpec = string | readonly [string, string];

const streamName = (spec: StreamSpec) => (typeof spec === 'string' ? spec : `${spec[0]}__${spec[1]}`);

/**
 * SQL selecting `i` and one column of uniforms in (0, 1) per stream name, named `u_<name>`, for the row numbers
 * `i` (integers in [0, 2^32)) that `rowsSql` selects.
 */
export function uniformsSql(opts: { seed: number; rowsSql: string; streams: readonly StreamSpec[] }): string {
  const { seed, rowsSql, streams } = opts;
  for (const n of streams.flatMap((sp) => (typeof sp === 'string' ? [sp] : [...sp]))) {
    if (!/^[a-z][a-z0-9_]*$/.test(n) || n.includes('__')) throw new RangeError(`stream name ${JSON.stringify(n)}: lowercase letters, digits, single underscores`);
  }
  const cols = streams.map((sp) => `s_${streamName(sp)}`);
  // base = lowbias32(lowbias32(i ^ ROW_KEY) ^ seedKey); stream = lowbias32(base ^ streamKey)
  let sql = `SELECT i, xor(i, ${U(ROW_KEY)}) AS h FROM (${rowsSql})`;
  sql = mixLayers(sql, ['i'], [{ name: 'h', expr: 'h' }]);
  sql = `SELECT i, xor(${closing('h')}, ${U(seedKey(seed))}) AS h FROM (${sql})`;
  sql = mixLayers(sql, ['i'], [{ name: 'h', expr: 'h' }]);
  sql = `SELECT i, ${closing('h')} AS h FROM (${sql})`;
  sql = mixLayers(sql, ['i'], streams.map((sp, k) => ({ name: cols[k]!, expr: `xor(h, ${U(streamKey(streamName(sp)))})` })));
  sql = `SELECT i, ${cols.map((c) => `${closing(c)} AS ${c}`).join(', ')} FROM (${sql})`;
  // DOUBLE before adding 0.5: BIGINT + 0.5 would be DECIMAL arithmetic, several times slower.
  const outs = streams.flatMap((sp, k) => (typeof sp === 'string'
    ? [`(${cols[k]}::DOUBLE + 0.5) / 4294967296.0 AS u_${sp}`]
    : [`((${cols[k]} >> 16)::DOUBLE + 0.5) / 65536.0 AS u_${sp[0]}`, `((${cols[k]} & 65535)::DOUBLE + 0.5) / 65536.0 AS u_${sp[1]}`]));
  return `SELECT i, ${outs.join(', ')} FROM (${sql})`;
}

/** The uniforms of one row as uniformsSql computes them, in TypeScript. */
export function rowUniforms(seed: number, row: number, streams: readonly StreamSpec[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const sp of streams) {
    const draw = rowDraw(seed, row, streamName(sp));
    if (typeof sp === 'string') out[sp] = toUniform(draw);
    else {
      out[sp[0]] = ((draw >>> 16) + 0.5) / 65536;
      out[sp[1]] = ((draw & 0xffff) + 0.5) / 65536;
    }
  }
  return out;
}

/** Walker/Vose alias table of non-negative weights: draw k = floor(u*n); keep k if frac(u*n) < prob[k], else alias[k]. */
export interface AliasTable {
  readonly prob: readonly number[];
  readonly alias: readonly number[];
}

export function aliasTable(weights: readonly number[]): AliasTable {
  const n = weights.length;
  const total = weights.reduce((a, b) => a + b, 0);
  if (n === 0 || !(total > 0) || weights.some((w) => !(w >= 0) || !Number.isFinite(w))) {
    throw new RangeError(`alias table: expected finite non-negative weights with a positive sum, received ${JSON.stringify(weights.slice(0, 10))}`);
  }
  const scaled = weights.map((w) => (w * n) / total);
  const prob = Array.from({ length: n }, () => 1);
  const alias = Array.from({ length: n }, (_, i) => i);
  const small: number[] = [];
  const large: number[] = [];
  scaled.forEach((p, i) => (p < 1 ? small : large).push(i));
  while (small.length && large.length) {
    const s = small.pop()!;
    const l = large.pop()!;
    prob[s] = scaled[s]!;
    alias[s] = l;
    scaled[l] = scaled[l]! + scaled[s]! - 1;
    (scaled[l]! < 1 ? small : large).push(l);
  }
  // Whatever is left has probability 1 up to rounding.
  return { prob, alias };
}

/**
 * An alias-table draw in two steps, so that no expression is repeated per row: `aliasSlotSql` gives the slot
 * `k = floor(u * n)` and the fraction `f = u * n - k` (computed in one projection layer), `aliasPickSql` the
 * 0-based category from the lists `<prefix>_prob` and `<prefix>_alias` of the model row `m` (in the next).
 */
export function aliasSlotSql(n: number, u: string): { k: string; f: string } {
  return { k: `least(floor(${u} * ${n}), ${n - 1})::INTEGER`, f: `${u} * ${n} - least(floor(${u} * ${n}), ${n - 1})` };
}

export function aliasPickSql(prefix: string, k: string, f: string): string {
  return `CASE WHEN ${f} < m.${prefix}_prob[${k} + 1] THEN ${k} ELSE m.${prefix}_alias[${k} + 1] END`;
}

/** Probabilities at which quantile tables are taken: Q+1 points, the ends at 0.1% and 99.9% (outliers trimmed). */
export const QUANTILE_STEPS = 200;
export const QUANTILE_PROBS: readonly number[] = Array.from({ length: QUANTILE_STEPS + 1 }, (_, k) =>
  k === 0 ? 0.001 : k === QUANTILE_STEPS ? 0.999 : k / QUANTILE_STEPS);

/** An inverse-CDF draw in two steps: the interval `k` and position `t` in it of uniform `u`, ... */
export function quantileSlotSql(u: string): { k: string; t: string } {
  return { k: `least(floor(${u} * ${QUANTILE_STEPS}), ${QUANTILE_STEPS - 1})::INTEGER`, t: `${u} * ${QUANTILE_STEPS} - least(floor(${u} * ${QUANTILE_STEPS}), ${QUANTILE_STEPS - 1})` };
}

/** ... then linear interpolation in the quantile list `list` (Q+1 values, starting at 1-based `offset + 1`). */
export function quantileValueSql(list: string, k: string, t: string, offset = '0'): string {
  const at = (j: number) => `${list}[${offset} + ${k} + ${j}]`;
  return `(${at(1)} + ${t} * (${at(2)} - ${at(1)}))`;
}

/** A list literal of doubles (NULL allowed), parsed by DuckDB's correctly rounded string-to-double conversion. */
export function doubleList(values: readonly (number | null)[]): string {
  return `CAST('[${values.map((v) => {
    if (v === null) return 'NULL';
    if (!Number.isFinite(v)) throw new RangeError(`non-finite model value ${v}`);
    return String(v);
  }).join(',')}]' AS DOUBLE[])`;
}

export function intList(values: readonly (number | null)[]): string {
  return `CAST('[${values.map((v) => {
    if (v === null) return 'NULL';
    if (!Number.isSafeInteger(v)) throw new RangeError(`non-integer model value ${v}`);
    return String(v);
  }).join(',')}]' AS BIGINT[])`;
}

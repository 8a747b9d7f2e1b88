// TFDV keys its maps and sets with std::string, which orders by UTF-8 bytes. JavaScript compares UTF-16 code
// units, which disagrees for characters above U+FFFF versus U+E000..U+FFFF; UTF-8 byte order is code point order.

function codePointRank(unit: number): number {
  // Surrogates (U+D800..U+DFFF) only occur in pairs encoding code points above U+FFFF: rank them after the BMP.
  if (unit >= 0xd800 && unit <= 0xdfff) return unit + 0x2000;
  if (unit >= 0xe000) return unit - 0x800;
  return unit;
}

/** std::string comparison: negative, zero or positive as `a` sorts before, equal to or after `b` in UTF-8 byte order. */
export function compareUtf8(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return codePointRank(x) - codePointRank(y);
  }
  return a.length - b.length;
}

/** Entries of a std::map<string, V>: unique keys in byte order. The first value inserted for a key wins (map::insert). */
export function sortedUniqueEntries<V>(entries: Iterable<readonly [string, V]>): [string, V][] {
  const seen = new Map<string, V>();
  for (const [k, v] of entries) if (!seen.has(k)) seen.set(k, v);
  return [...seen.entries()].sort((x, y) => compareUtf8(x[0], y[0]));
}

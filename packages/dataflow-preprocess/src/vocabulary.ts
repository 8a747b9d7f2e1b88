// tft.vocabulary's rules (tensorflow_transform/beam/analyzer_impls.py, `_UniquesAnalyzerImpl`), applied to
// the (token, count) pairs the warehouse counted on the train split:
// - empty tokens and tokens containing '\n' or '\r' are dropped ('FilterProblematicStrings'): they cannot be
//   written as lines of a vocabulary file, and so map to the OOV index;
// - order: `counts.sort(reverse=True)` over (count, token bytes): most frequent first, equal counts with the
//   larger byte string first.
// Checked against the vocabularies TFT wrote for the TFX taxi testdata (see test/vocabulary.test.ts).

export interface TokenCount {
  readonly token: string;
  readonly count: number;
}

export function isVocabularyToken(token: string): boolean {
  return token !== '' && !token.includes('\n') && !token.includes('\r');
}

/** The vocabulary from token counts: filtered and ordered as TFT does. */
export function orderVocabulary(counts: readonly TokenCount[]): string[] {
  return counts
    .filter((c) => isVocabularyToken(c.token))
    .map((c) => ({ ...c, bytes: Buffer.from(c.token, 'utf8') }))
    .sort((a, b) => b.count - a.count || Buffer.compare(b.bytes, a.bytes))
    .map((c) => c.token);
}

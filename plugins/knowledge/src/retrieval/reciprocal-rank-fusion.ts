/** Default `k` of reciprocal rank fusion: the constant from Cormack, Clarke & Büttcher (2009). */
export const DEFAULT_RRF_K = 60;

/**
 * Reciprocal rank fusion: each list gives an item `1 / (k + rank)` (rank from 1), and items are
 * ordered by the sum. It needs no score calibration between lists (cosine similarity and
 * `ts_rank_cd` are not comparable), and an item high in both lists wins.
 */
export function reciprocalRankFusion<T>(lists: readonly (readonly T[])[], idOf: (item: T) => string, k = DEFAULT_RRF_K): { item: T; score: number }[] {
  const fused = new Map<string, { item: T; score: number; best: number }>();
  for (const list of lists) {
    list.forEach((item, index) => {
      const id = idOf(item);
      const entry = fused.get(id) ?? { item, score: 0, best: index };
      entry.score += 1 / (k + index + 1);
      entry.best = Math.min(entry.best, index);
      fused.set(id, entry);
    });
  }
  return [...fused.values()]
    .sort((a, b) => b.score - a.score || a.best - b.best || (idOf(a.item) < idOf(b.item) ? -1 : 1))
    .map(({ item, score }) => ({ item, score }));
}

/**
 * The `q`-quantile of the first `n` values of `sorted` (ascending), by linear interpolation
 * between the two closest ranks (rank `q·(n−1)`, numpy's default and ClickHouse's
 * `quantileExactInclusive`): one value is its own every quantile, and the result always lies
 * between the lowest and the highest value.
 */
export function exactQuantile(sorted: ArrayLike<number>, n: number, q: number): number {
  if (n <= 0) return NaN;
  const rank = q * (n - 1);
  const lo = Math.floor(rank);
  const hi = Math.min(lo + 1, n - 1);
  const below = sorted[lo]!;
  return below + (rank - lo) * (sorted[hi]! - below);
}

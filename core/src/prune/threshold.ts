// The global threshold's index into the ascending |γ| list (docs/pruning.md §Threshold), and how
// many |γ| lie under a value. Its own module, free of imports, so the γ histogram webview uses this
// one implementation without bundling the planner.

/** Python's `int(len · percent)`: truncation of the double product. */
export function thresholdIndex(n: number, percent: number): number {
  return Math.trunc(n * percent);
}

/** Count of values < v (or ≤ v with `orEqual`) in an ascending array. */
export function countBelow(sorted: ArrayLike<number>, v: number, orEqual = false): number {
  let lo = 0,
    hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] < v || (orEqual && sorted[mid] === v)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

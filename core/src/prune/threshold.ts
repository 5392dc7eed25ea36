// The global threshold's index into the ascending |γ| list (docs/pruning.md §Threshold). Its own
// module, free of imports, so the γ histogram webview uses this one implementation without bundling
// the planner.

/** Python's `int(len · percent)`: truncation of the double product. */
export function thresholdIndex(n: number, percent: number): number {
  return Math.trunc(n * percent);
}

/**
 * The 1-based rank of each value in ascending order, tied values sharing the average of the ranks they span
 * (the mid-rank convention Mann–Whitney and Spearman both use). Output is in input order; input is untouched.
 * O(n log n); the result does not depend on how ties happen to be ordered.
 */
export function averageRanks(values: readonly number[]): Float64Array {
  const order = Array.from(values.keys()).sort((a, b) => (values[a] as number) - (values[b] as number));
  const ranks = new Float64Array(values.length);
  let start = 0;
  while (start < order.length) {
    let end = start + 1;
    while (end < order.length && values[order[end] as number] === values[order[start] as number]) end += 1;
    // Positions start..end-1 hold ranks start+1..end: their mean is (start + 1 + end) / 2.
    const shared = (start + 1 + end) / 2;
    for (let position = start; position < end; position += 1) ranks[order[position] as number] = shared;
    start = end;
  }
  return ranks;
}

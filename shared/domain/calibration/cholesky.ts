/**
 * Solves A x = b for a symmetric positive-definite A (row-major, size × size) by Cholesky factorisation,
 * reading only A's lower triangle and leaving A and b untouched. Returns null when A is not numerically
 * positive definite (a pivot not above `minimumPivot`), so the caller can regularise and retry.
 */
export function solveSymmetricPositiveDefinite(
  matrix: Float64Array,
  size: number,
  rhs: Float64Array,
  minimumPivot = 1e-300,
): Float64Array | null {
  const lower = new Float64Array(size * size);
  for (let row = 0; row < size; row += 1) {
    for (let column = 0; column <= row; column += 1) {
      let sum = matrix[row * size + column] as number;
      for (let k = 0; k < column; k += 1)
        sum -= (lower[row * size + k] as number) * (lower[column * size + k] as number);
      if (row === column) {
        if (!(sum > minimumPivot)) return null;
        lower[row * size + row] = Math.sqrt(sum);
      } else {
        lower[row * size + column] = sum / (lower[column * size + column] as number);
      }
    }
  }
  // Forward substitution L y = b, then back substitution Lᵀ x = y.
  const solution = Float64Array.from(rhs);
  for (let row = 0; row < size; row += 1) {
    let sum = solution[row] as number;
    for (let k = 0; k < row; k += 1) sum -= (lower[row * size + k] as number) * (solution[k] as number);
    solution[row] = sum / (lower[row * size + row] as number);
  }
  for (let row = size - 1; row >= 0; row -= 1) {
    let sum = solution[row] as number;
    for (let k = row + 1; k < size; k += 1) sum -= (lower[k * size + row] as number) * (solution[k] as number);
    solution[row] = sum / (lower[row * size + row] as number);
  }
  return solution;
}

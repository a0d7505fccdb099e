/** Dense symmetric positive-definite solves for the few-shot head (n ≲ a few thousand). */

/** Lower Cholesky factor of the n×n matrix `a` (row-major); throws if not positive definite. */
export function cholesky(a: Float64Array, n: number): Float64Array {
  const l = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = a[i * n + j];
      for (let k = 0; k < j; k++) s -= l[i * n + k] * l[j * n + k];
      if (i === j) {
        if (s <= 0) throw new Error('matrix is not positive definite');
        l[i * n + i] = Math.sqrt(s);
      } else l[i * n + j] = s / l[j * n + j];
    }
  }
  return l;
}

/** Solves (L Lᵀ) X = B for `c` right-hand-side columns (B row-major n×c). */
export function choleskySolve(l: Float64Array, n: number, b: Float64Array, c: number): Float64Array {
  const x = new Float64Array(n * c);
  const z = new Float64Array(n);
  for (let col = 0; col < c; col++) {
    for (let i = 0; i < n; i++) {
      let s = b[i * c + col];
      for (let k = 0; k < i; k++) s -= l[i * n + k] * z[k];
      z[i] = s / l[i * n + i];
    }
    for (let i = n - 1; i >= 0; i--) {
      let s = z[i];
      for (let k = i + 1; k < n; k++) s -= l[k * n + i] * x[k * c + col];
      x[i * c + col] = s / l[i * n + i];
    }
  }
  return x;
}

/** Diagonal of (L Lᵀ)⁻¹ = L⁻ᵀ L⁻¹: entry j is the squared norm of column j of L⁻¹. */
export function inverseDiagonal(l: Float64Array, n: number): Float64Array {
  const diag = new Float64Array(n);
  const col = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    // Solve L v = e_j: v is column j of L⁻¹ (zero above row j).
    col.fill(0);
    col[j] = 1 / l[j * n + j];
    let sum = col[j] * col[j];
    for (let i = j + 1; i < n; i++) {
      let s = 0;
      for (let k = j; k < i; k++) s -= l[i * n + k] * col[k];
      col[i] = s / l[i * n + i];
      sum += col[i] * col[i];
    }
    diag[j] = sum;
  }
  return diag;
}

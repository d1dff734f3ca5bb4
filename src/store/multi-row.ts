/**
 * Many rows in one INSERT: a statement per row cost most of a city import's and a judged day's
 * store time (PGlite runs each statement whole, with its own parse and plan).
 */

/** node-postgres and PGlite take at most 65,535 parameters per statement; rows stay well under. */
const MAX_PARAMS_PER_STATEMENT = 30_000;
/** Beyond a few hundred rows a statement is no cheaper per row, and its text grows (a road's geometry is kilobytes). */
const MAX_ROWS_PER_STATEMENT = 500;

/** `rows` in pieces of at most a few hundred, each within the parameters a statement takes at `columns` a row. */
export function statementChunks<T>(rows: readonly T[], columns: number): T[][] {
  const perStatement = Math.max(1, Math.min(MAX_ROWS_PER_STATEMENT, Math.floor(MAX_PARAMS_PER_STATEMENT / Math.max(1, columns))));
  const out: T[][] = [];
  for (let start = 0; start < rows.length; start += perStatement) out.push(rows.slice(start, start + perStatement));
  return out;
}

/**
 * `($1, $2::jsonb, …), ($3, $4::jsonb, …)`: placeholders for `rowCount` rows of `columns` parameters
 * each, in row order; `casts[i]` follows column i's placeholder.
 */
export function valuesPlaceholders(rowCount: number, columns: number, casts: Readonly<Record<number, string>> = {}): string {
  const rows: string[] = [];
  for (let r = 0; r < rowCount; r++) {
    rows.push(`(${Array.from({ length: columns }, (_, i) => `$${r * columns + i + 1}${casts[i] ?? ''}`).join(', ')})`);
  }
  return rows.join(', ');
}

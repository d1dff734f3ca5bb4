/** Helpers shared by the benchmark-format adapters (the only solver files that read files). */
import { readFileSync } from 'node:fs';

export function readText(path: string): string {
  return readFileSync(path, 'utf8');
}

/** All-pairs shortest paths (Floyd-Warshall) over a small directed graph given as a cost matrix. */
export function shortestPaths(cost: number[][]): number[][] {
  const n = cost.length;
  const d = cost.map((r) => r.slice());
  for (let i = 0; i < n; i++) d[i][i] = 0;
  for (let k = 0; k < n; k++) {
    const dk = d[k];
    for (let i = 0; i < n; i++) {
      const dik = d[i][k];
      if (dik === Infinity) continue;
      const di = d[i];
      for (let j = 0; j < n; j++) if (dik + dk[j] < di[j]) di[j] = dik + dk[j];
    }
  }
  return d;
}

/** Parse a CSV file with a header row into records (handles quoted fields). */
export function readCsv(path: string): Record<string, string>[] {
  const lines = readText(path).split(/\r?\n/).filter((l) => l.trim().length > 0);
  const split = (line: string): string[] => {
    const out: string[] = [];
    let cur = '', q = false;
    for (const ch of line) {
      if (ch === '"') q = !q;
      else if (ch === ',' && !q) { out.push(cur); cur = ''; }
      else cur += ch;
    }
    out.push(cur);
    return out;
  };
  const head = split(lines[0]);
  return lines.slice(1).map((l) => {
    const cells = split(l);
    return Object.fromEntries(head.map((h, i) => [h, cells[i] ?? '']));
  });
}

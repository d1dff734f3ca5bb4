import { gunzipSync, gzipSync } from 'node:zlib';
import type { ProblemInput } from '../../solver/index.js';

/**
 * A plan keeps the Problem it was solved from, so it can be validated again later. Its road
 * matrices are most of it (the demo city: 662 places, two vehicle profiles, 1.75 M cells,
 * 13 MB as JSON), so the store holds them apart from the rest of the Problem (JSONB) as
 * packed integers: travel times in ms and distances in dm, exactly what the road network
 * computes (its costs are integer ms and dm), gzipped — a few MB less per plan version, and
 * the numbers come back bit-identical. A matrix that is not on that grid is stored as float64.
 */
interface PackedHeader {
  size: number;
  profiles: Array<{ name: string; format: 'ms-dm-u32' | 'f64' }>;
}

const fitsGrid = (rows: number[][], scale: number): boolean =>
  rows.every((row) => row.every((v) => {
    const k = Math.round(v * scale);
    return k >= 0 && k <= 0xffffffff && k / scale === v;
  }));

export function packMatrices(matrices: ProblemInput['matrices']): Buffer {
  const names = Object.keys(matrices).sort();
  const size = names.length ? matrices[names[0]!]!.durationsS.length : 0;
  const header: PackedHeader = { size, profiles: [] };
  const parts: Buffer[] = [];
  for (const name of names) {
    const { durationsS, distancesM } = matrices[name]!;
    const grid = fitsGrid(durationsS, 1000) && fitsGrid(distancesM, 10);
    header.profiles.push({ name, format: grid ? 'ms-dm-u32' : 'f64' });
    for (const [rows, scale] of [[durationsS, 1000], [distancesM, 10]] as const) {
      const out = grid ? new Uint32Array(size * size) : new Float64Array(size * size);
      for (let i = 0; i < size; i++) for (let j = 0; j < size; j++) out[i * size + j] = grid ? Math.round(rows[i]![j]! * scale) : rows[i]![j]!;
      parts.push(Buffer.from(out.buffer, out.byteOffset, out.byteLength));
    }
  }
  const head = Buffer.from(JSON.stringify(header));
  const length = Buffer.alloc(4);
  length.writeUInt32LE(head.length, 0);
  return gzipSync(Buffer.concat([length, head, ...parts]), { level: 6 });
}

export function unpackMatrices(packed: Uint8Array): ProblemInput['matrices'] {
  const raw = gunzipSync(packed);
  const headLength = raw.readUInt32LE(0);
  const header = JSON.parse(raw.subarray(4, 4 + headLength).toString('utf8')) as PackedHeader;
  let offset = 4 + headLength;
  const n = header.size;
  const matrices: ProblemInput['matrices'] = {};
  for (const { name, format } of header.profiles) {
    const read = (scale: number): number[][] => {
      const bytes = n * n * (format === 'f64' ? 8 : 4);
      const copy = new Uint8Array(raw.subarray(offset, offset + bytes));
      offset += bytes;
      const cells = format === 'f64' ? new Float64Array(copy.buffer) : new Uint32Array(copy.buffer);
      const rows: number[][] = [];
      for (let i = 0; i < n; i++) {
        const row = new Array<number>(n);
        for (let j = 0; j < n; j++) row[j] = format === 'f64' ? cells[i * n + j]! : cells[i * n + j]! / scale;
        rows.push(row);
      }
      return rows;
    };
    const durationsS = read(1000);
    const distancesM = read(10);
    matrices[name] = { durationsS, distancesM };
  }
  return matrices;
}

/** The Problem without its matrices (JSONB) and the matrices packed (bytea). */
export function splitProblem(problem: ProblemInput): { doc: ProblemInput; matrices: Buffer } {
  return { doc: { ...problem, matrices: {} }, matrices: packMatrices(problem.matrices) };
}

export function joinProblem(doc: ProblemInput, matrices: Uint8Array): ProblemInput {
  return { ...doc, matrices: unpackMatrices(matrices) };
}

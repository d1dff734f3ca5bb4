import { brotliCompressSync, brotliDecompressSync, constants } from 'node:zlib';
import type { ProblemInput } from '../../solver/index.js';

/**
 * A plan keeps the Problem it was solved from, so it can be validated again later. Its road
 * matrices are most of it (the demo city: 662 places, two vehicle profiles, 1.75 M cells,
 * 13 MB as JSON), so the store holds them apart from the rest of the Problem (JSONB) as
 * packed integers: travel times in ms and distances in dm, exactly what the road network
 * computes (its costs are integer ms and dm), so the numbers come back bit-identical. The
 * bytes are split into planes (all first bytes, then all second bytes, ...: the high bytes of
 * nearby values repeat) before brotli; on the demo city 7.0 MB of cells become 1.7 MB (gzip
 * of the plain cells: 4.9 MB). Matrices not on that grid are stored as float64.
 */
interface PackedHeader {
  size: number;
  /** 'ms-dm-u32': integer ms and dm; 'f64': any numbers (one matrix off the grid stores all so) */
  format: 'ms-dm-u32' | 'f64';
  profiles: string[];
}

const fitsGrid = (rows: number[][], scale: number): boolean =>
  rows.every((row) => row.every((v) => {
    const k = Math.round(v * scale);
    return k >= 0 && k <= 0xffffffff && k / scale === v;
  }));

/** Above this many bytes of cells the matrices are packed at brotli's fastest quality. */
const LARGE_CELLS_BYTES = 64 * 1024 * 1024;

export function packMatrices(matrices: ProblemInput['matrices']): Buffer {
  const names = Object.keys(matrices).sort();
  const size = names.length ? matrices[names[0]!]!.durationsS.length : 0;
  const grid = names.every((name) => fitsGrid(matrices[name]!.durationsS, 1000) && fitsGrid(matrices[name]!.distancesM, 10));
  const header: PackedHeader = { size, format: grid ? 'ms-dm-u32' : 'f64', profiles: names };
  const cells = grid ? new Uint32Array(names.length * 2 * size * size) : new Float64Array(names.length * 2 * size * size);
  let at = 0;
  for (const name of names) {
    const { durationsS, distancesM } = matrices[name]!;
    for (const [rows, scale] of [[durationsS, 1000], [distancesM, 10]] as const) {
      for (let i = 0; i < size; i++) for (let j = 0; j < size; j++) cells[at++] = grid ? Math.round(rows[i]![j]! * scale) : rows[i]![j]!;
    }
  }
  const head = Buffer.from(JSON.stringify(header));
  const length = Buffer.alloc(4);
  length.writeUInt32LE(head.length, 0);
  // planes over all matrices at once: the profiles' matrices are alike, brotli finds the repeats
  const body = planes(new Uint8Array(cells.buffer), cells.BYTES_PER_ELEMENT);
  // quality 5 costs 15 s of CPU on the 200k-segment generated city's 407 MB of cells (4,117
  // places, 3 profiles: 216 MB packed) where quality 1 takes 1.1 s for 234 MB: big cities pack fast
  const quality = body.length > LARGE_CELLS_BYTES ? 1 : 5;
  return brotliCompressSync(Buffer.concat([length, head, body]), { params: { [constants.BROTLI_PARAM_QUALITY]: quality } });
}

/** Byte k of every element, for k = 0..width-1 (and back with `unplanes`). */
function planes(bytes: Uint8Array, width: number): Buffer {
  const out = Buffer.alloc(bytes.length);
  const count = bytes.length / width;
  for (let i = 0; i < count; i++) for (let k = 0; k < width; k++) out[k * count + i] = bytes[i * width + k]!;
  return out;
}

function unplanes(bytes: Uint8Array, width: number): Uint8Array {
  const out = new Uint8Array(bytes.length);
  const count = bytes.length / width;
  for (let i = 0; i < count; i++) for (let k = 0; k < width; k++) out[i * width + k] = bytes[k * count + i]!;
  return out;
}

export function unpackMatrices(packed: Uint8Array): ProblemInput['matrices'] {
  const raw = brotliDecompressSync(packed);
  const headLength = raw.readUInt32LE(0);
  const header = JSON.parse(raw.subarray(4, 4 + headLength).toString('utf8')) as PackedHeader;
  const width = header.format === 'f64' ? 8 : 4;
  const bytes = unplanes(raw.subarray(4 + headLength), width);
  const cells = width === 8 ? new Float64Array(bytes.buffer) : new Uint32Array(bytes.buffer);
  const n = header.size;
  let at = 0;
  const read = (scale: number): number[][] => {
    const rows: number[][] = [];
    for (let i = 0; i < n; i++) {
      const row = new Array<number>(n);
      for (let j = 0; j < n; j++) row[j] = width === 8 ? cells[at++]! : cells[at++]! / scale;
      rows.push(row);
    }
    return rows;
  };
  const matrices: ProblemInput['matrices'] = {};
  for (const name of header.profiles) {
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

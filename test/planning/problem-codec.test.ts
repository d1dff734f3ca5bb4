import { describe, expect, it } from 'vitest';
import { joinProblem, packMatrices, splitProblem, unpackMatrices } from '../../src/planning/problem-codec.js';
import { UNREACHABLE_M, UNREACHABLE_S } from '../../src/planning/build-problem.js';

describe('stored Problem matrices', () => {
  it('come back bit-identical: road-network values (ms, dm) packed as integers, others as float64', () => {
    const n = 40;
    const grid = (f: (i: number, j: number) => number) => Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => f(i, j)));
    const matrices = {
      truck: { durationsS: grid((i, j) => (i === j ? 0 : i === 3 ? UNREACHABLE_S : ((i * 7919 + j * 104_729) % 3_600_000) / 1000)), distancesM: grid((i, j) => (i === j ? 0 : j === 5 ? UNREACHABLE_M : ((i * 31 + j * 17) % 500_000) / 10)) },
      odd: { durationsS: grid((i, j) => Math.PI * (i + 1) * (j + 2)), distancesM: grid((i, j) => i + j / 3) },
    };
    // road-network values only: stored as integers, a quarter of float64's bytes before compression
    const roadOnly = { truck: matrices.truck };
    expect(unpackMatrices(packMatrices(roadOnly))).toEqual(roadOnly);
    expect(packMatrices(roadOnly).length).toBeLessThan(packMatrices({ truck: { ...matrices.truck, durationsS: matrices.truck.durationsS.map((r) => r.map((v) => v + 1e-9)) } }).length);
    const packed = packMatrices(matrices);
    const back = unpackMatrices(packed);
    expect(back).toEqual(matrices);
    for (const name of ['truck', 'odd'] as const) {
      for (const key of ['durationsS', 'distancesM'] as const) {
        back[name]![key].forEach((row, i) => row.forEach((v, j) => expect(Object.is(v, matrices[name][key][i]![j])).toBe(true)));
      }
    }
    const problem = { name: 'x', matrices, vehicles: [] };
    const { doc, matrices: blob } = splitProblem(problem);
    expect(doc.matrices).toEqual({});
    expect(joinProblem(doc, new Uint8Array(blob))).toEqual(problem);
  });
});

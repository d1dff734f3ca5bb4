/**
 * SWAP* (issue 15, item 1: one module per operator): a task of one route and a task of
 * another trade routes, each put at its best place in the other route, not only in the
 * other's place. Checked against a brute force over every pair and every pair of places:
 * with distance as the cost, SWAP*'s preselection (three best places per task, or the
 * other's place) finds the best exchange (Vidal 2022), so the operator must reach the brute
 * force's best whenever that one fits the trucks.
 */
import { describe, expect, it } from 'vitest';
import { trySwapStar } from '../../solver/vrp/search/operators/swapStar.js';
import { lineMetres as metres, twoRouteState as setUp } from './helpers.js';

/** The shortest pair of routes one exchange of one task each (anywhere in the other route) gives, loads permitting. */
function bestExchange(routes: { a: number[]; b: number[] }, kg: Record<number, number>, capacityKg: number): number {
  const load = (locs: number[]) => locs.reduce((s, l) => s + (kg[l] ?? 100), 0);
  let best = metres(routes.a) + metres(routes.b);
  for (const u of routes.a) {
    for (const v of routes.b) {
      const restA = routes.a.filter((x) => x !== u), restB = routes.b.filter((x) => x !== v);
      if (load([...restA, v]) > capacityKg || load([...restB, u]) > capacityKg) continue;
      for (let p = 0; p <= restA.length; p++) {
        for (let q = 0; q <= restB.length; q++) {
          const a = [...restA.slice(0, p), v, ...restA.slice(p)], b = [...restB.slice(0, q), u, ...restB.slice(q)];
          best = Math.min(best, metres(a) + metres(b));
        }
      }
    }
  }
  return best;
}

describe('SWAP*', () => {
  // a's point 17 belongs among b's right points, b's 12 on a's way out: neither best in the other's place
  const routes = { a: [8, 17, 0, 1], b: [11, 14, 12, 19] };
  const cases: { name: string; kg: Record<number, number>; capacityKg: number }[] = [
    { name: 'light loads', kg: {}, capacityKg: 1000 },
    // 12 into a would load it to 700 kg
    { name: 'the best exchange too heavy for a truck', kg: { 8: 300, 12: 200 }, capacityKg: 650 },
  ];
  for (const { name, kg, capacityKg } of cases) {
    it(`reaches the brute force's best exchange: ${name}`, () => {
      const { st, routeLocations } = setUp(routes, kg, capacityKg);
      const before = metres(routes.a) + metres(routes.b);
      const best = bestExchange(routes, kg, capacityKg);
      expect(trySwapStar(st, 0, 1)).toBe(best < before);
      const after = { a: routeLocations(0), b: routeLocations(1) };
      expect(metres(after.a) + metres(after.b)).toBe(best);
      // one task each way
      expect(after.a.filter((l) => !routes.a.includes(l))).toHaveLength(best < before ? 1 : 0);
      expect(after.b.filter((l) => !routes.b.includes(l))).toHaveLength(best < before ? 1 : 0);
      expect(st.rdist[0] + st.rdist[1]).toBeCloseTo(best, 6);
    });
  }

  it('does better than an exchange in place when the tasks belong elsewhere in the other route', () => {
    const { st, routeLocations } = setUp(routes, {}, 1000);
    const inPlace = (() => {
      let best = Infinity;
      for (let i = 0; i < 4; i++) for (let j = 0; j < 4; j++) {
        const a = routes.a.slice(), b = routes.b.slice();
        [a[i], b[j]] = [b[j], a[i]];
        best = Math.min(best, metres(a) + metres(b));
      }
      return best;
    })();
    expect(trySwapStar(st, 0, 1)).toBe(true);
    expect(metres(routeLocations(0)) + metres(routeLocations(1))).toBeLessThan(inPlace);
  });

  it('tries a pair of routes again only once one of them holds other stops, not when a step put it back', () => {
    const { st } = setUp({ a: [12, 14], b: [8, 6] }, {}, 1000);
    // already apart: nothing to gain, and the pair is recorded as tried
    expect(trySwapStar(st, 0, 1)).toBe(false);
    expect(st.swapStarDue(0, 1)).toBe(false);
    const before = st.nodes[1];
    st.nodes[1] = before.slice().reverse();
    st.update(1);
    expect(st.swapStarDue(0, 1)).toBe(true);
    // an undone step restores the route: the pair stays tried
    st.nodes[1] = before;
    st.update(1);
    expect(st.swapStarDue(0, 1)).toBe(false);
  });
});

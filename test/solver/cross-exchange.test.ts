/**
 * Cross-exchange (issue 15, item 1: one module per operator): two routes trade strings of up
 * to three tasks each. Checked against a brute force that prices every trade the operator may
 * make from the matrix and the loads alone, in the operator's order: it makes the first that
 * is feasible and cheaper, or nothing.
 */
import { describe, expect, it } from 'vitest';
import { tryCrossExchange } from '../../solver/vrp/search/operators/crossExchange.js';
import { CROSS_EXCHANGE_MAX_STRING } from '../../solver/vrp/parameters.js';
import { lineMetres as metres, twoRouteState } from './helpers.js';

/**
 * A road of 21 points 1 km apart, the depot in the middle (point 10). Route a serves two
 * points right of the depot and, in between, two on the left; route b the other way round.
 */
const LOCATIONS = { a: [12, 4, 3, 13], b: [6, 17, 18, 2] };
const KG: Record<number, number> = { 12: 50, 4: 100, 3: 100, 13: 50, 6: 100, 17: 150, 18: 150, 2: 100 };

const setUp = (capacityKg: number) => twoRouteState(LOCATIONS, KG, capacityKg);
/** Whether a route's load fits a truck. */
const fits = (locs: number[], capacityKg: number) => locs.reduce((s, l) => s + KG[l], 0) <= capacityKg;

/** The first trade, in the operator's order, that fits both trucks and shortens the pair; null if none. */
function bruteForce(u: number[], w: number[], iu: number, iw: number, capacityKg: number) {
  const before = metres(u) + metres(w);
  for (let a = 1; a <= CROSS_EXCHANGE_MAX_STRING && iu + a <= u.length; a++) {
    for (let b = 1; b <= CROSS_EXCHANGE_MAX_STRING && iw + 1 + b <= w.length; b++) {
      const newU = [...u.slice(0, iu), ...w.slice(iw + 1, iw + 1 + b), ...u.slice(iu + a)];
      const newW = [...w.slice(0, iw + 1), ...u.slice(iu, iu + a), ...w.slice(iw + 1 + b)];
      if (fits(newU, capacityKg) && fits(newW, capacityKg) && metres(newU) + metres(newW) < before) return { a: newU, b: newW };
    }
  }
  return null;
}

describe('cross-exchange', () => {
  // each truck takes 500 kg or less: the load decides which trade comes first, or that none may be made
  const cases = [
    { capacityKg: 500, u: 4, w: 6 }, { capacityKg: 450, u: 4, w: 6 }, { capacityKg: 400, u: 4, w: 6 },
    { capacityKg: 500, u: 12, w: 17 }, { capacityKg: 500, u: 13, w: 18 }, { capacityKg: 500, u: 17, w: 4 },
    { capacityKg: 1000, u: 12, w: 6 }, { capacityKg: 400, u: 12, w: 6 },
  ];
  for (const { capacityKg, u: uAt, w: wAt } of cases) {
    it(`trades strings as a brute force over every trade says: ${capacityKg} kg trucks, the points at ${uAt} and after ${wAt}`, () => {
      const { st, taskAt, routeLocations } = setUp(capacityKg);
      const u = taskAt.get(uAt)!, w = taskAt.get(wAt)!;
      const [from, to] = LOCATIONS.a.includes(uAt) ? ['a', 'b'] as const : ['b', 'a'] as const;
      const trade = bruteForce(LOCATIONS[from], LOCATIONS[to], LOCATIONS[from].indexOf(uAt), LOCATIONS[to].indexOf(wAt), capacityKg);
      const expected = trade && { [from]: trade.a, [to]: trade.b };
      const made = tryCrossExchange(st, u, w);
      expect(made).toBe(expected !== null);
      const routes = { a: routeLocations(0), b: routeLocations(1) };
      expect(routes).toEqual(expected ?? LOCATIONS);
      // the state's own figures follow the routes it now holds
      expect(st.rdist[0] + st.rdist[1]).toBeCloseTo(metres(routes.a) + metres(routes.b), 6);
      for (const [v, locs] of [[0, routes.a], [1, routes.b]] as const) {
        for (const l of locs) expect(st.taskVeh[taskAt.get(l)!]).toBe(v);
      }
    });
  }

  it('with room for all of it, takes the left string to the left route and gives the right pair back', () => {
    const { st, taskAt, routeLocations } = setUp(1000);
    expect(tryCrossExchange(st, taskAt.get(4)!, taskAt.get(6)!)).toBe(true);
    const after = metres(routeLocations(0)) + metres(routeLocations(1));
    expect(after).toBeLessThan(metres(LOCATIONS.a) + metres(LOCATIONS.b));
    // the move creates the edge w -> u
    expect(routeLocations(1).slice(0, 2)).toEqual([6, 4]);
  });
});

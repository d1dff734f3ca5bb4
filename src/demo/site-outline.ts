/**
 * A disposal site's fenced yard for the demo city. The demo's OpenStreetMap extract holds only the
 * roads (no landuse=landfill or industrial areas to take an outline from), so the yard is drawn
 * from the site's footprint: a rectangle beyond the road end where the trucks arrive, the gate
 * (the site's point, where the corridor ends) a few metres inside its near edge, the yard running
 * on in the direction of arrival.
 */
type LonLat = [number, number];

export interface FootprintOptions {
  /** The gate lies this far inside the near edge. */
  gateInsideM: number;
  /** Depth of the yard along the direction of arrival, from the near edge. */
  depthM: number;
  /** Width across it. */
  widthM: number;
}

export const DISPOSAL_YARD: FootprintOptions = { gateInsideM: 8, depthM: 60, widthM: 50 };

const round6 = (x: number) => Math.round(x * 1e6) / 1e6;

export function siteFootprint(gate: LonLat, arrivingFrom: LonLat, options: FootprintOptions = DISPOSAL_YARD): { type: 'Polygon'; coordinates: LonLat[][] } {
  const yM = 111_320;
  const xM = 111_320 * Math.cos((gate[1] * Math.PI) / 180);
  let ux = (gate[0] - arrivingFrom[0]) * xM;
  let uy = (gate[1] - arrivingFrom[1]) * yM;
  const len = Math.hypot(ux, uy);
  // arriving from nowhere (the same point): the yard runs east
  [ux, uy] = len > 0 ? [ux / len, uy / len] : [1, 0];
  const [vx, vy] = [-uy, ux];
  const corner = (alongM: number, acrossM: number): LonLat => [
    round6(gate[0] + (ux * alongM + vx * acrossM) / xM), round6(gate[1] + (uy * alongM + vy * acrossM) / yM),
  ];
  const near = -options.gateInsideM;
  const far = options.depthM - options.gateInsideM;
  const half = options.widthM / 2;
  const ring = [corner(near, -half), corner(far, -half), corner(far, half), corner(near, half), corner(near, -half)];
  return { type: 'Polygon', coordinates: [ring] };
}

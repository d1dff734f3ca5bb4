// Nearest-road lookups: a static uniform grid over every straight piece of segment geometry,
// in a local metric projection. Used to put collection points, facilities and GPS fixes on roads.
import { haversineM, metresPerDegree } from '../geo.js';
import type { RoadGraph } from './graph.js';

/** A position on a segment: `fraction` 0 at the segment's `from` node, 1 at its `to` node. */
export interface SnappedPosition {
  segment: number;
  fraction: number;
  /** Distance from the segment start along its geometry. */
  offsetM: number;
  /** The point on the road. */
  lon: number;
  lat: number;
  /** Distance from the query point to the road. */
  distanceM: number;
}

export class SnapIndex {
  private readonly lon0: number;
  private readonly lat0: number;
  private readonly xM: number;
  private readonly yM: number;
  private readonly minX: number;
  private readonly minY: number;
  private readonly cellM: number;
  private readonly columns: number;
  private readonly rows: number;
  private readonly cellFirst: Int32Array;
  /** First point index of each geometry piece in a cell; the piece runs to the next point. */
  private readonly cellPiece: Int32Array;
  private readonly pointX: Float64Array;
  private readonly pointY: Float64Array;
  private readonly pointSegment: Int32Array;
  /** Distance of each geometry point from the start of its segment. */
  private readonly pointOffsetM: Float64Array;

  constructor(
    private readonly graph: RoadGraph,
    cellM = 100,
  ) {
    const pointCount = graph.pointLon.length;
    let minLon = Infinity;
    let maxLon = -Infinity;
    let minLat = Infinity;
    let maxLat = -Infinity;
    for (let p = 0; p < pointCount; p++) {
      minLon = Math.min(minLon, graph.pointLon[p]);
      maxLon = Math.max(maxLon, graph.pointLon[p]);
      minLat = Math.min(minLat, graph.pointLat[p]);
      maxLat = Math.max(maxLat, graph.pointLat[p]);
    }
    if (pointCount === 0) minLon = maxLon = minLat = maxLat = 0;
    this.lon0 = (minLon + maxLon) / 2;
    this.lat0 = (minLat + maxLat) / 2;
    ({ xM: this.xM, yM: this.yM } = metresPerDegree(this.lat0));
    this.cellM = cellM;
    this.pointX = new Float64Array(pointCount);
    this.pointY = new Float64Array(pointCount);
    this.pointSegment = new Int32Array(pointCount);
    this.pointOffsetM = new Float64Array(pointCount);
    for (let s = 0; s < graph.segmentCount; s++) {
      let offsetM = 0;
      for (let p = graph.segmentGeometryStart[s]; p < graph.segmentGeometryStart[s + 1]; p++) {
        this.pointX[p] = (graph.pointLon[p] - this.lon0) * this.xM;
        this.pointY[p] = (graph.pointLat[p] - this.lat0) * this.yM;
        this.pointSegment[p] = s;
        if (p > graph.segmentGeometryStart[s]) {
          offsetM += haversineM(graph.pointLon[p - 1], graph.pointLat[p - 1], graph.pointLon[p], graph.pointLat[p]);
        }
        this.pointOffsetM[p] = offsetM;
      }
    }
    this.minX = (minLon - this.lon0) * this.xM - 1;
    this.minY = (minLat - this.lat0) * this.yM - 1;
    this.columns = Math.max(1, Math.ceil(((maxLon - this.lon0) * this.xM + 1 - this.minX) / cellM));
    this.rows = Math.max(1, Math.ceil(((maxLat - this.lat0) * this.yM + 1 - this.minY) / cellM));

    // Two passes over the pieces: count per cell, then fill (CSR).
    const counts = new Int32Array(this.columns * this.rows + 1);
    this.forEachPieceCell((cell) => counts[cell + 1]++);
    for (let c = 0; c < this.columns * this.rows; c++) counts[c + 1] += counts[c];
    this.cellFirst = counts;
    this.cellPiece = new Int32Array(counts[this.columns * this.rows]);
    const fill = counts.slice(0, this.columns * this.rows);
    this.forEachPieceCell((cell, piece) => {
      this.cellPiece[fill[cell]++] = piece;
    });
  }

  private forEachPieceCell(visit: (cell: number, piece: number) => void): void {
    const graph = this.graph;
    for (let s = 0; s < graph.segmentCount; s++) {
      for (let p = graph.segmentGeometryStart[s]; p + 1 < graph.segmentGeometryStart[s + 1]; p++) {
        const c0 = this.column(Math.min(this.pointX[p], this.pointX[p + 1]));
        const c1 = this.column(Math.max(this.pointX[p], this.pointX[p + 1]));
        const r0 = this.row(Math.min(this.pointY[p], this.pointY[p + 1]));
        const r1 = this.row(Math.max(this.pointY[p], this.pointY[p + 1]));
        for (let r = r0; r <= r1; r++) for (let c = c0; c <= c1; c++) visit(r * this.columns + c, p);
      }
    }
  }

  private column(x: number): number {
    return Math.min(this.columns - 1, Math.max(0, Math.floor((x - this.minX) / this.cellM)));
  }
  private row(y: number): number {
    return Math.min(this.rows - 1, Math.max(0, Math.floor((y - this.minY) / this.cellM)));
  }

  /**
   * Every segment passing within `radiusM` of the point, each at its closest position, nearest
   * first. `accept` filters segments (e.g. those a vehicle kind may use).
   */
  within(lon: number, lat: number, radiusM: number, accept?: (segment: number) => boolean): SnappedPosition[] {
    const x = (lon - this.lon0) * this.xM;
    const y = (lat - this.lat0) * this.yM;
    const c0 = this.column(x - radiusM);
    const c1 = this.column(x + radiusM);
    const r0 = this.row(y - radiusM);
    const r1 = this.row(y + radiusM);
    const bestPiece = new Map<number, { piece: number; t: number; d2: number }>();
    for (let r = r0; r <= r1; r++) {
      for (let c = c0; c <= c1; c++) {
        const cell = r * this.columns + c;
        for (let i = this.cellFirst[cell]; i < this.cellFirst[cell + 1]; i++) {
          const p = this.cellPiece[i];
          const segment = this.pointSegment[p];
          const ax = this.pointX[p];
          const ay = this.pointY[p];
          const dx = this.pointX[p + 1] - ax;
          const dy = this.pointY[p + 1] - ay;
          const length2 = dx * dx + dy * dy;
          const t = length2 > 0 ? Math.min(1, Math.max(0, ((x - ax) * dx + (y - ay) * dy) / length2)) : 0;
          const ex = ax + t * dx - x;
          const ey = ay + t * dy - y;
          const d2 = ex * ex + ey * ey;
          if (d2 > radiusM * radiusM) continue;
          const previous = bestPiece.get(segment);
          if (previous && previous.d2 <= d2) continue;
          if (!previous && accept && !accept(segment)) continue;
          bestPiece.set(segment, { piece: p, t, d2 });
        }
      }
    }
    const results: SnappedPosition[] = [];
    for (const [segment, { piece, t, d2 }] of bestPiece) {
      results.push(this.position(segment, piece, t, Math.sqrt(d2)));
    }
    return results.sort((a, b) => a.distanceM - b.distanceM || a.segment - b.segment);
  }

  /** The nearest accepted segment within `maxDistanceM`, or null. */
  nearest(lon: number, lat: number, maxDistanceM = 5000, accept?: (segment: number) => boolean): SnappedPosition | null {
    for (let radiusM = this.cellM; ; radiusM *= 2) {
      const found = this.within(lon, lat, Math.min(radiusM, maxDistanceM), accept);
      if (found.length > 0) return found[0];
      if (radiusM >= maxDistanceM) return null;
    }
  }

  /** The position at `offsetM` from the start of `segment` along its geometry. */
  at(segment: number, offsetM: number): SnappedPosition {
    const graph = this.graph;
    const first = graph.segmentGeometryStart[segment];
    const last = graph.segmentGeometryStart[segment + 1] - 1;
    let p = first;
    while (p + 1 < last && this.pointOffsetM[p + 1] < offsetM) p++;
    const pieceM = this.pointOffsetM[p + 1] - this.pointOffsetM[p];
    const t = pieceM > 0 ? Math.min(1, Math.max(0, (offsetM - this.pointOffsetM[p]) / pieceM)) : 0;
    return this.position(segment, p, t, 0);
  }

  private position(segment: number, piece: number, t: number, distanceM: number): SnappedPosition {
    const graph = this.graph;
    const offsetM = this.pointOffsetM[piece] + t * (this.pointOffsetM[piece + 1] - this.pointOffsetM[piece]);
    const lengthM = this.pointOffsetM[graph.segmentGeometryStart[segment + 1] - 1];
    return {
      segment,
      fraction: lengthM > 0 ? offsetM / lengthM : 0,
      offsetM,
      lon: graph.pointLon[piece] + t * (graph.pointLon[piece + 1] - graph.pointLon[piece]),
      lat: graph.pointLat[piece] + t * (graph.pointLat[piece + 1] - graph.pointLat[piece]),
      distanceM,
    };
  }

  /** Geometry points strictly between offsets a < b of a segment (for partial legs). */
  pointsBetween(segment: number, fromOffsetM: number, toOffsetM: number): number[] {
    const points: number[] = [];
    const graph = this.graph;
    for (let p = graph.segmentGeometryStart[segment]; p < graph.segmentGeometryStart[segment + 1]; p++) {
      if (this.pointOffsetM[p] > fromOffsetM && this.pointOffsetM[p] < toOffsetM) points.push(p);
    }
    return points;
  }
}

import type { Rule } from '../detector.js';
import { illegalDumping } from './illegal-dumping.js';
import { noPermit } from './no-permit.js';
import { offRoute } from './off-route.js';
import { outsideHours } from './outside-hours.js';
import { restrictedZone } from './restricted-zone.js';
import { speeding } from './speeding.js';
import { spill } from './spill.js';
import { uncovered } from './uncovered.js';
import { wrongSite } from './wrong-site.js';

/** The detectors in the order they run on each fix. */
export const rules: readonly Rule[] = [
  noPermit, outsideHours, offRoute, restrictedZone, speeding, uncovered, spill, illegalDumping, wrongSite,
];

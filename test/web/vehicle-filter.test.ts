import { describe, expect, it } from 'vitest';
import type { VehicleState } from '../../src/domain/vehicle-state.js';
import { noneHidden, passes, UNASSIGNED } from '../../web/src/lib/vehicle-filter.js';

const vehicle = (id: string, over: Partial<VehicleState> = {}): VehicleState => ({
  vehicleId: id, plate: id, kind: 'collector', wasteClasses: ['food'], motion: 'stopped', distanceTodayM: 0, tripDistanceM: 0, updatedAtMs: 0,
  latest: { fixTimeMs: 0, lat: 0, lon: 0, speedKmh: 0, headingDeg: 0, positioned: true, alarms: [] },
  ...over,
});

/** The dispatch map's filters: no vehicle disappears because it lacks a district or a class. */
describe('vehicle filter', () => {
  const fleet = [
    vehicle('a', { district: 'east' }),
    vehicle('b', { district: 'west' }),
    vehicle('c'), // no district
    vehicle('d', { wasteClasses: [], kind: 'sweeper' }), // no class
    vehicle('e', { latest: undefined }),
    vehicle('f', { motion: 'moving', latest: { fixTimeMs: 0, lat: 0, lon: 0, speedKmh: 30, headingDeg: 0, positioned: true, alarms: ['overspeed'] } }),
  ];
  const shown = (hidden: Partial<ReturnType<typeof noneHidden>>) => fleet.filter((v) => passes(v, { ...noneHidden(), ...hidden })).map((v) => v.vehicleId);

  it('shows everything with nothing unticked', () => {
    expect(shown({})).toEqual(['a', 'b', 'c', 'd', 'e', 'f']);
  });

  it('unticking one district hides only that district: vehicles without one stay', () => {
    expect(shown({ district: ['west'] })).toEqual(['a', 'c', 'd', 'e', 'f']);
  });

  it('"unassigned" is a choice of its own for district and class', () => {
    expect(shown({ district: [UNASSIGNED] })).toEqual(['a', 'b']);
    expect(shown({ wasteClass: [UNASSIGNED] })).toEqual(['a', 'b', 'c', 'e', 'f']);
  });

  it('a vehicle of several classes shows while one of them is ticked', () => {
    const mixed = vehicle('m', { wasteClasses: ['food', 'residual'] });
    expect(passes(mixed, { ...noneHidden(), wasteClass: ['food'] })).toBe(true);
    expect(passes(mixed, { ...noneHidden(), wasteClass: ['food', 'residual'] })).toBe(false);
  });

  it('states: an alarm outranks motion, and "no position" can be hidden', () => {
    expect(shown({ look: ['alarm'] })).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(shown({ look: ['moving'] })).toEqual(['a', 'b', 'c', 'd', 'e', 'f']);
    expect(shown({ look: ['noFix'] })).toEqual(['a', 'b', 'c', 'd', 'f']);
  });
});

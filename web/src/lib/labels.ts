import type { FacilityKind, VehicleKind, WasteClass } from '../../../src/domain/model.js';
import { t } from './i18n.js';

/** The colours the legend, filters and markers share; the words are in the locale files. */
export const vehicleKinds: Array<{ id: VehicleKind; colour: string }> = [
  { id: 'sweeper', colour: '#2e7d32' },
  { id: 'washer', colour: '#00838f' },
  { id: 'waterer', colour: '#1565c0' },
  { id: 'collector', colour: '#6a1b9a' },
  { id: 'muck_truck', colour: '#e65100' },
  { id: 'spreader', colour: '#546e7a' },
];

/** Colours follow the GB/T 19095-2019 bins: food green, residual grey, recyclable blue, hazardous red. */
export const wasteClasses: Array<{ id: WasteClass; colour: string }> = [
  { id: 'food', colour: '#43a047' },
  { id: 'residual', colour: '#616161' },
  { id: 'recyclable', colour: '#1e88e5' },
  { id: 'hazardous', colour: '#e53935' },
  { id: 'construction', colour: '#8d6e63' },
];

export const facilityKinds: Array<{ id: FacilityKind; colour: string; glyph: string }> = [
  { id: 'transfer_station', colour: '#5d4037', glyph: 'T' },
  { id: 'incinerator', colour: '#bf360c', glyph: 'I' },
  { id: 'food_waste_plant', colour: '#2e7d32', glyph: 'F' },
  { id: 'sorting_centre', colour: '#1565c0', glyph: 'S' },
  { id: 'hazardous_store', colour: '#c62828', glyph: 'H' },
  { id: 'construction_disposal', colour: '#6d4c41', glyph: 'C' },
  { id: 'water_point', colour: '#0277bd', glyph: 'W' },
  { id: 'deicer_store', colour: '#455a64', glyph: 'D' },
];

export const NO_CLASS_COLOUR = '#cfd8dc';

export const kindLabel = (id: string): string => t(`vehicleKind.${id}`, { defaultValue: id });
export const classLabel = (id: string): string => t(`wasteClass.${id}`, { defaultValue: id });
export const facilityKindLabel = (id: string): string => t(`facilityKind.${id}`, { defaultValue: id });
export const motionLabel = (id: string): string => t(`motion.${id}`, { defaultValue: id });
export const roleLabel = (id: string): string => t(`role.${id}`, { defaultValue: id });

export function kindColour(id: string): string {
  return vehicleKinds.find((x) => x.id === id)?.colour ?? '#455a64';
}

export function classColour(id: string): string {
  return wasteClasses.find((x) => x.id === id)?.colour ?? NO_CLASS_COLOUR;
}

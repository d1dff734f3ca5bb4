import type { VehicleKind, WasteClass } from '../../../src/domain/model.js';
import type { Motion } from '../../../src/domain/vehicle-state.js';
import type { LoadState } from '../../../src/domain/fix.js';

/** Labels in Chinese with English, and the colours the legend and markers share. */
export const kinds: Array<{ id: VehicleKind; zh: string; en: string; colour: string }> = [
  { id: 'sweeper', zh: '扫路车', en: 'sweeper', colour: '#2e7d32' },
  { id: 'washer', zh: '洗扫车', en: 'washer', colour: '#00838f' },
  { id: 'waterer', zh: '洒水车', en: 'waterer', colour: '#1565c0' },
  { id: 'collector', zh: '分类收运车', en: 'collector', colour: '#6a1b9a' },
  { id: 'muck_truck', zh: '渣土车', en: 'muck truck', colour: '#e65100' },
];

/** Colours follow the GB/T 19095-2019 bins: food green, residual grey, recyclable blue, hazardous red. */
export const wasteClasses: Array<{ id: WasteClass; zh: string; en: string; colour: string }> = [
  { id: 'food', zh: '厨余垃圾', en: 'food', colour: '#43a047' },
  { id: 'residual', zh: '其他垃圾', en: 'residual', colour: '#616161' },
  { id: 'recyclable', zh: '可回收物', en: 'recyclable', colour: '#1e88e5' },
  { id: 'hazardous', zh: '有害垃圾', en: 'hazardous', colour: '#e53935' },
  { id: 'construction', zh: '建筑垃圾', en: 'construction', colour: '#8d6e63' },
];

export const NO_CLASS_COLOUR = '#cfd8dc';

export const motions: Record<Motion, string> = {
  moving: '行驶 moving',
  stopped: '停车 stopped',
  offline: '离线 offline',
};

export const loadStates: Record<LoadState, string> = {
  empty: '空载 empty',
  half: '半载 half',
  full: '满载 full',
};

export function kindLabel(id: VehicleKind): string {
  const k = kinds.find((x) => x.id === id);
  return k ? `${k.zh} ${k.en}` : id;
}

export function kindColour(id: VehicleKind): string {
  return kinds.find((x) => x.id === id)?.colour ?? '#455a64';
}

export function classLabel(id: WasteClass): string {
  const c = wasteClasses.find((x) => x.id === id);
  return c ? `${c.zh} ${c.en}` : id;
}

export function classColour(id: WasteClass): string {
  return wasteClasses.find((x) => x.id === id)?.colour ?? NO_CLASS_COLOUR;
}

import type { VehicleState } from '../../../src/domain/vehicle-state.js';
import { kindColour, motions } from './labels.js';

/**
 * The side list of vehicles in view: plate, motion and speed, updated in place (a row
 * per vehicle, never the whole list per batch). A click asks the map to show the vehicle.
 */
export class VehicleList {
  private readonly rows = new Map<string, HTMLLIElement>();

  constructor(private readonly list: HTMLElement, private readonly onSelect: (vehicleId: string) => void) {}

  replaceAll(states: VehicleState[]): void {
    this.rows.clear();
    const sorted = [...states].sort((a, b) => a.plate.localeCompare(b.plate, 'zh-CN'));
    this.list.replaceChildren(...sorted.map((s) => this.row(s)));
  }

  upsert(s: VehicleState): void {
    const held = this.rows.get(s.vehicleId);
    if (held) {
      fill(held, s);
      return;
    }
    const next = [...this.list.children].find((r) => ((r as HTMLElement).dataset.plate ?? '').localeCompare(s.plate, 'zh-CN') > 0);
    this.list.insertBefore(this.row(s), next ?? null);
  }

  private row(s: VehicleState): HTMLLIElement {
    const li = document.createElement('li');
    li.dataset.vehicleId = s.vehicleId;
    li.dataset.plate = s.plate;
    li.tabIndex = 0;
    li.addEventListener('click', () => this.onSelect(s.vehicleId));
    li.addEventListener('keydown', (e) => {
      if (e.key === 'Enter') this.onSelect(s.vehicleId);
    });
    fill(li, s);
    this.rows.set(s.vehicleId, li);
    return li;
  }
}

function fill(li: HTMLLIElement, s: VehicleState): void {
  const dot = document.createElement('span');
  dot.className = `dot motion-${s.motion}`;
  dot.style.background = kindColour(s.kind);
  const plate = document.createElement('b');
  plate.textContent = s.plate;
  const info = document.createElement('span');
  info.className = 'row-info';
  info.textContent = s.latest
    ? `${motions[s.motion] ?? s.motion}${s.motion === 'moving' ? ` ${s.latest.speedKmh.toFixed(0)} km/h` : ''}`
    : '无定位 no fix';
  li.classList.toggle('no-fix', !s.latest);
  li.replaceChildren(dot, plate, info);
}

import L from 'leaflet';
import { getJson } from '../lib/api.js';
import { formatDateTime, t } from '../lib/i18n.js';
import { escapeHtml } from './html.js';

/**
 * The incidents not yet closed by an officer, on the dispatch map: one marker where each
 * began, with its type, vehicle, start and status, and a way to the incidents page. The
 * server narrows the list to what the viewer may see (a dispatcher: their fleet's). Re-read
 * when the enforcement room says something changed.
 */
interface ActiveIncident {
  id: string;
  type: string;
  vehicleId?: string;
  startAt: string;
  status: string;
  level: number;
  location?: { coordinates: [number, number] };
}

export class IncidentLayer {
  readonly group = L.layerGroup();
  private reading?: Promise<number>;
  private again = false;

  /** Reads the active incidents and redraws; answers how many there are (with or without a position). */
  refresh(): Promise<number> {
    if (this.reading) {
      this.again = true;
      return this.reading;
    }
    this.reading = this.read().finally(() => {
      this.reading = undefined;
      if (this.again) {
        this.again = false;
        void this.refresh();
      }
    });
    return this.reading;
  }

  private async read(): Promise<number> {
    const page = await getJson<{ items: ActiveIncident[]; total: number }>('/api/v1/incidents?active=true&limit=500');
    this.group.clearLayers();
    for (const i of page.items) {
      if (!i.location) continue;
      const [lon, lat] = i.location.coordinates;
      const title = t(`incidentType.${i.type}`);
      L.circleMarker([lat, lon], { radius: 7 + Math.min(3, i.level - 1) * 2, color: '#b71c1c', weight: 2, fillColor: '#ef5350', fillOpacity: 0.85 })
        .bindPopup(`<div class="record-popup incident-popup" data-incident-id="${escapeHtml(i.id)}"><h3>${escapeHtml(title)}</h3><table>
          <tr><th scope="row">${escapeHtml(t('desk.vehicle'))}</th><td>${escapeHtml(i.vehicleId ?? '—')}</td></tr>
          <tr><th scope="row">${escapeHtml(t('desk.start'))}</th><td>${escapeHtml(formatDateTime(i.startAt))}</td></tr>
          <tr><th scope="row">${escapeHtml(t('desk.status'))}</th><td>${escapeHtml(t(`incidentStatus.${i.status}`))}</td></tr>
          <tr><th scope="row">${escapeHtml(t('desk.level'))}</th><td>${i.level}</td></tr>
        </table><p><a href="/incidents">${escapeHtml(t('desk.open'))}</a></p></div>`)
        .addTo(this.group);
    }
    return page.total;
  }
}

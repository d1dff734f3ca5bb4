import L from 'leaflet';
import type { MapConfig } from '../lib/city.js';
import { t } from '../lib/i18n.js';

/** Our road data comes from OpenStreetMap: its licence asks for this line wherever it is drawn. */
export const OSM_ATTRIBUTION = 'Map data © OpenStreetMap contributors, ODbL';

/**
 * A Leaflet map on canvas (thousands of road lines draw faster than as SVG), with the
 * attribution and, when the city configured one, a raster tile layer under our roads.
 */
export function createMap(el: HTMLElement, config: MapConfig | undefined): L.Map {
  const map = L.map(el, { preferCanvas: true, zoomSnap: 0.25, maxZoom: 19, zoomControl: true }).setView([31.23, 121.47], 13);
  map.attributionControl.setPrefix(false);
  map.attributionControl.addAttribution(OSM_ATTRIBUTION);
  if (config?.attribution && config.attribution !== OSM_ATTRIBUTION) map.attributionControl.addAttribution(config.attribution);
  if (config?.tileUrl) L.tileLayer(config.tileUrl, { maxZoom: 19 }).addTo(map);
  // Leaflet's controls carry English titles; give them the page's language.
  const zoomIn = el.querySelector('.leaflet-control-zoom-in');
  const zoomOut = el.querySelector('.leaflet-control-zoom-out');
  zoomIn?.setAttribute('title', t('map.zoomIn'));
  zoomIn?.setAttribute('aria-label', t('map.zoomIn'));
  zoomOut?.setAttribute('title', t('map.zoomOut'));
  zoomOut?.setAttribute('aria-label', t('map.zoomOut'));
  // Popups' close buttons too.
  map.on('popupopen', (e: L.PopupEvent) => {
    const close = e.popup.getElement()?.querySelector('.leaflet-popup-close-button');
    close?.setAttribute('aria-label', t('map.closePopup'));
    close?.setAttribute('title', t('map.closePopup'));
  });
  el.setAttribute('aria-label', t('map.label'));
  el.setAttribute('role', 'region');
  return map;
}

/** Marks the first map paint for the page-load measurement (performance.mark, read by the bench). */
export function markFirstPaint(name: string): void {
  requestAnimationFrame(() => requestAnimationFrame(() => {
    if (!performance.getEntriesByName(name).length) performance.mark(name);
    document.body.dataset.firstPaint = 'done';
  }));
}

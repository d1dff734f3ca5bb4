import { html } from 'htm/preact';
import { useRef, useState } from 'preact/hooks';
import { MapPanel } from '../components/panel.js';
import { useCity } from '../lib/hooks.js';
import { t } from '../lib/i18n.js';
import { LayerChecks, useCityMap } from '../map/city-map.js';

const LAYERS_KEY = 'sanifleet.city.layers';

/**
 * The city as planners see it: the same map and layers as dispatch (roads, depots,
 * facilities, points, sites, corridors, zones), read-only and without the live fleet —
 * planners plan the city, they do not dispatch its trucks.
 */
export function CityPage() {
  const city = useCity();
  const mapEl = useRef<HTMLDivElement>(null);
  const [panelOpen, setPanelOpen] = useState(() => !window.matchMedia('(max-width: 760px)').matches);
  const { layers, setLayer, loadError, counts, roadStats } = useCityMap(mapEl, city, { layersKey: LAYERS_KEY });

  return html`<div class="map-page">
    <h1 class="visually-hidden">${t('page.city.title')}</h1>
    <${MapPanel} id="city-panel" open=${panelOpen} onToggle=${setPanelOpen} title=${t('city.panelTitle')}>
      <p class="hint">${t('city.readOnly')}</p>
      ${loadError ? html`<p class="form-error" role="alert">${loadError}</p>` : null}
      <details open>
        <summary>${t('layers.title')}</summary>
        <${LayerChecks} layers=${layers} setLayer=${setLayer} counts=${counts} roadStats=${roadStats} />
      </details>
    </${MapPanel}>
    <div class="map-box"><div id="map" ref=${mapEl}></div></div>
  </div>`;
}

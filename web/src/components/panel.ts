import { html } from 'htm/preact';
import type { ComponentChildren } from 'preact';
import { t } from '../lib/i18n.js';

/**
 * The side panel beside a map: on a desktop a column that folds away; on a phone a sheet
 * over the map's lower part, opened by a button on the map, so the map keeps the screen.
 */
export function MapPanel(props: { id: string; open: boolean; onToggle(open: boolean): void; title: string; children: ComponentChildren }) {
  return html`
    <aside id=${props.id} class=${props.open ? 'map-panel open' : 'map-panel'} aria-label=${props.title} hidden=${!props.open}>
      <div class="panel-head">
        <h2>${props.title}</h2>
        <button type="button" class="icon-button panel-close" onClick=${() => props.onToggle(false)} aria-label=${t('panel.close')}>✕</button>
      </div>
      <div class="panel-body">${props.children}</div>
    </aside>
    ${props.open ? null : html`<button type="button" class="panel-open" aria-controls=${props.id} aria-expanded="false"
      onClick=${() => props.onToggle(true)}>☰ ${props.title}</button>`}`;
}

/** A fieldset of checkboxes with a swatch each. */
export function CheckGroup(props: {
  legend: string;
  items: Array<{ id: string; label: string; swatch?: string; ring?: boolean; count?: number }>;
  checked(id: string): boolean;
  onChange(id: string, on: boolean): void;
  name: string;
}) {
  return html`<fieldset class="check-group">
    <legend>${props.legend}</legend>
    ${props.items.map((item) => html`<label key=${item.id} class="check">
      <input type="checkbox" name=${props.name} value=${item.id} checked=${props.checked(item.id)}
        onChange=${(e: Event) => props.onChange(item.id, (e.target as HTMLInputElement).checked)} />
      ${item.swatch ? html`<span class=${item.ring ? 'swatch swatch-ring' : 'swatch'} style=${item.ring ? `border-color:${item.swatch}` : `background:${item.swatch}`} aria-hidden="true"></span>` : null}
      <span class="check-label">${item.label}</span>
      ${item.count !== undefined ? html`<span class="check-count">${item.count}</span>` : null}
    </label>`)}
  </fieldset>`;
}

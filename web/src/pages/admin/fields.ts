import { html } from 'htm/preact';
import { cityWallString, cityWallToMs } from '../../lib/city-time.js';
import { t, timeZone } from '../../lib/i18n.js';

/**
 * A small form engine for records: each field names its path in the record and how it is
 * edited. The draft is the record itself (fields the form does not know stay as they
 * were), so an edit never drops what another client wrote. Typed inputs are uncontrolled
 * (defaultValue): what a person types mid-way ("1.", "04:00-07:00, ") stays as typed while
 * the draft gets the parsed value; a form is mounted afresh for each record.
 */
export type FieldSpec =
  | { path: string; kind: 'text' | 'password'; required?: boolean; autocomplete?: string }
  | { path: string; kind: 'number'; required?: boolean; step?: number; min?: number }
  | { path: string; kind: 'bool' }
  | { path: string; kind: 'select'; required?: boolean; options: Array<{ value: string; label: string }> }
  | { path: string; kind: 'multi'; options: Array<{ value: string; label: string }> }
  | { path: string; kind: 'point' }
  | { path: string; kind: 'window' }
  | { path: string; kind: 'windows' }
  | { path: string; kind: 'datetime' };

export type Doc = Record<string, any>;

export function getPath(doc: Doc, path: string): any {
  return path.split('.').reduce<any>((o, k) => (o == null ? undefined : o[k]), doc);
}

/** Sets a value by dotted path; undefined deletes it (optional fields left empty). */
export function setPath(doc: Doc, path: string, value: unknown): Doc {
  const keys = path.split('.');
  const copy: Doc = structuredClone(doc);
  let o = copy;
  for (const k of keys.slice(0, -1)) {
    if (typeof o[k] !== 'object' || o[k] === null) o[k] = {};
    o = o[k];
  }
  const last = keys.at(-1)!;
  if (value === undefined) delete o[last];
  else o[last] = value;
  return copy;
}

const windowText = (w?: { from: string; to: string }) => (w ? `${w.from}-${w.to}` : '');

/** "04:00-07:00, 09:00-16:00" ⇄ [{from,to}, …]; the server checks the times. */
export function parseWindows(text: string): Array<{ from: string; to: string }> {
  return text.split(/[,，;；\s]+/).map((s) => s.trim()).filter(Boolean).map((s) => {
    const [from, to] = s.split(/[-–~至]/).map((x) => x.trim());
    return { from: from ?? '', to: to ?? '' };
  });
}

function fieldError(errors: Record<string, string>, path: string): string | undefined {
  const hit = Object.entries(errors).find(([p]) => p === path || p.startsWith(`${path}.`));
  return hit?.[1];
}

export function Field(props: { spec: FieldSpec; doc: Doc; onChange(doc: Doc): void; errors: Record<string, string>; labelKey: string }) {
  const { spec, doc, onChange, errors } = props;
  const value = getPath(doc, spec.path);
  const label = t(props.labelKey, { defaultValue: spec.path });
  const id = `f-${spec.path.replace(/\W/g, '-')}`;
  const err = fieldError(errors, spec.path);
  const errId = err ? `${id}-err` : undefined;
  const set = (v: unknown) => onChange(setPath(doc, spec.path, v));
  const text = (e: Event) => (e.target as HTMLInputElement).value;
  let control;
  switch (spec.kind) {
    case 'text':
    case 'password':
      control = html`<input id=${id} type=${spec.kind} defaultValue=${value ?? ''} required=${spec.required} autocomplete=${spec.autocomplete ?? 'off'} aria-describedby=${errId}
        onInput=${(e: Event) => set(text(e) === '' ? undefined : text(e))} />`;
      break;
    case 'number':
      control = html`<input id=${id} type="number" step=${spec.step ?? 'any'} min=${spec.min} defaultValue=${value ?? ''} required=${spec.required} aria-describedby=${errId}
        onInput=${(e: Event) => set(text(e) === '' ? undefined : Number(text(e)))} />`;
      break;
    case 'bool':
      return html`<div class="field field-bool"><label class="check"><input id=${id} type="checkbox" checked=${!!value} onChange=${(e: Event) => set((e.target as HTMLInputElement).checked)} /> ${label}</label>
        ${err ? html`<span class="field-error" id=${errId}>${err}</span>` : null}</div>`;
    case 'select':
      control = html`<select id=${id} value=${value ?? ''} required=${spec.required} aria-describedby=${errId} onChange=${(e: Event) => set(text(e) === '' ? undefined : text(e))}>
        <option value="">${spec.required ? t('common.choose') : t('common.none')}</option>
        ${spec.options.map((o) => html`<option key=${o.value} value=${o.value}>${o.label}</option>`)}
      </select>`;
      break;
    case 'multi': {
      const list: string[] = Array.isArray(value) ? value : [];
      return html`<fieldset class="field field-multi"><legend>${label}</legend>
        ${spec.options.map((o) => html`<label key=${o.value} class="check"><input type="checkbox" checked=${list.includes(o.value)}
          onChange=${(e: Event) => set((e.target as HTMLInputElement).checked ? [...list, o.value] : list.filter((x) => x !== o.value))} /> ${o.label}</label>`)}
        ${err ? html`<span class="field-error" id=${errId}>${err}</span>` : null}</fieldset>`;
    }
    case 'point': {
      const c: number[] = value?.coordinates ?? [];
      const setCoord = (i: number) => (e: Event) => {
        const next = [c[0] ?? NaN, c[1] ?? NaN];
        next[i] = text(e) === '' ? NaN : Number(text(e));
        set({ type: 'Point', coordinates: next.map((x) => (Number.isFinite(x) ? x : null)) });
      };
      return html`<fieldset class="field field-point"><legend>${label}</legend>
        <label>${t('fields.lat')}<input type="number" step="any" defaultValue=${c[1] ?? ''} required onInput=${setCoord(1)} /></label>
        <label>${t('fields.lon')}<input type="number" step="any" defaultValue=${c[0] ?? ''} required onInput=${setCoord(0)} /></label>
        ${err ? html`<span class="field-error" id=${errId}>${err}</span>` : null}</fieldset>`;
    }
    case 'window':
      control = html`<input id=${id} defaultValue=${windowText(value)} placeholder="22:00-06:00" aria-describedby=${errId}
        onInput=${(e: Event) => set(text(e) === '' ? undefined : parseWindows(text(e))[0])} />`;
      break;
    case 'windows':
      control = html`<input id=${id} defaultValue=${Array.isArray(value) ? value.map(windowText).join(', ') : ''} placeholder="04:00-07:00, 09:00-16:00" aria-describedby=${errId}
        onInput=${(e: Event) => set(parseWindows(text(e)))} />`;
      break;
    case 'datetime':
      // Wall time in the city's zone, whatever the browser's zone is.
      control = html`<input id=${id} type="datetime-local" defaultValue=${value ? cityWallString(Date.parse(value), timeZone()) : ''} aria-describedby=${errId}
        onInput=${(e: Event) => {
          const [date, time] = text(e).split('T');
          set(date && time ? new Date(cityWallToMs(date, time, timeZone())).toISOString() : undefined);
        }} />`;
      break;
  }
  return html`<div class="field"><label for=${id}>${label}</label>${control}
    ${err ? html`<span class="field-error" id=${errId}>${err}</span>` : null}</div>`;
}

import i18next, { type TOptions } from 'i18next';
import en from '../locales/en.json' with { type: 'json' };
import zhCN from '../locales/zh-CN.json' with { type: 'json' };

/**
 * Every string the pages show comes from the locale files through i18next. Chinese is
 * the default (the operators are Chinese city staff); English is one click away and the
 * choice is remembered in localStorage. Dates and numbers go through Intl in the city's
 * time zone, not the browser's: a dispatcher abroad still reads the city's clock.
 */
export const languages = ['zh-CN', 'en'] as const;
export type Lang = (typeof languages)[number];

const LANG_KEY = 'sanifleet.lang';
const i18n = i18next.createInstance();

function storedLang(): Lang {
  try {
    const v = localStorage.getItem(LANG_KEY);
    if (v === 'en' || v === 'zh-CN') return v;
  } catch {
    // storage blocked: the default
  }
  return 'zh-CN';
}

export async function initI18n(): Promise<void> {
  await i18n.init({
    lng: storedLang(),
    fallbackLng: 'zh-CN',
    resources: { 'zh-CN': { translation: zhCN }, en: { translation: en } },
    interpolation: { escapeValue: false },
    returnNull: false,
  });
  document.documentElement.lang = i18n.language;
}

export function lang(): Lang {
  return i18n.language === 'en' ? 'en' : 'zh-CN';
}

export function setLang(next: Lang): void {
  try {
    localStorage.setItem(LANG_KEY, next);
  } catch {
    // storage blocked: the switch still holds for this visit
  }
  void i18n.changeLanguage(next);
  document.documentElement.lang = next;
  for (const l of langListeners) l();
}

const langListeners = new Set<() => void>();
export function onLangChange(listener: () => void): () => void {
  langListeners.add(listener);
  return () => langListeners.delete(listener);
}

export function t(key: string, options?: TOptions): string {
  return i18n.t(key, options) as string;
}

/** True when the key exists in the current language (API error codes that the page knows). */
export function hasKey(key: string): boolean {
  return i18n.exists(key);
}

// The city's zone: set from /map/config (or the city profile) once signed in.
let cityTimeZone: string = Intl.DateTimeFormat().resolvedOptions().timeZone;
export function setCityTimeZone(tz: string): void {
  cityTimeZone = tz;
}
export function timeZone(): string {
  return cityTimeZone;
}

export function formatDateTime(ms: number | string | Date): string {
  return new Intl.DateTimeFormat(lang(), {
    timeZone: cityTimeZone, year: 'numeric', month: '2-digit', day: '2-digit',
    hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23',
  }).format(new Date(ms));
}

export function formatTime(ms: number | string | Date): string {
  return new Intl.DateTimeFormat(lang(), { timeZone: cityTimeZone, hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' }).format(new Date(ms));
}

export function formatNumber(n: number, maximumFractionDigits = 0): string {
  return new Intl.NumberFormat(lang(), { maximumFractionDigits }).format(n);
}

/** A unit through Intl where it knows it (km/h, km, kg), else number + unit. */
export function formatUnit(n: number, unit: 'kilometer-per-hour' | 'kilometer' | 'kilogram' | 'meter' | 'second', maximumFractionDigits = 0): string {
  return new Intl.NumberFormat(lang(), { style: 'unit', unit, unitDisplay: 'short', maximumFractionDigits }).format(n);
}

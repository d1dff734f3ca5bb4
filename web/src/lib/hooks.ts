import { useEffect, useReducer, useState } from 'preact/hooks';
import { cityConfig, onCityChange, type MapConfig } from './city.js';
import { lang, onLangChange, type Lang } from './i18n.js';
import { onSessionChange, session, type Session } from './session.js';

/** Re-render on a module-level change (session, language, city). */
function useSubscription(subscribe: (l: () => void) => () => void): void {
  const [, bump] = useReducer((n: number) => n + 1, 0);
  useEffect(() => subscribe(() => bump(1)), []);
}

export function useSession(): Session | undefined {
  useSubscription(onSessionChange);
  return session();
}

export function useLang(): Lang {
  useSubscription(onLangChange);
  return lang();
}

export function useCity(): MapConfig | undefined {
  useSubscription(onCityChange);
  return cityConfig();
}

/** A value from the API with its loading and error state; `reload` fetches again. */
export function useLoad<T>(load: (signal: AbortSignal) => Promise<T>, deps: unknown[]): { data?: T; error?: unknown; loading: boolean; reload(): void } {
  const [state, setState] = useState<{ data?: T; error?: unknown; loading: boolean }>({ loading: true });
  const [n, setN] = useState(0);
  useEffect(() => {
    const ac = new AbortController();
    setState((s) => ({ ...s, loading: true }));
    load(ac.signal).then(
      (data) => !ac.signal.aborted && setState({ data, loading: false }),
      (error) => !ac.signal.aborted && setState({ error, loading: false }),
    );
    return () => ac.abort();
  }, [...deps, n]);
  return { ...state, reload: () => setN((x) => x + 1) };
}

/** True below the phone breakpoint; follows window resizes. */
export function useNarrow(maxWidthPx = 760): boolean {
  const query = `(max-width: ${maxWidthPx}px)`;
  const [narrow, setNarrow] = useState(() => window.matchMedia(query).matches);
  useEffect(() => {
    const mq = window.matchMedia(query);
    const l = () => setNarrow(mq.matches);
    mq.addEventListener('change', l);
    return () => mq.removeEventListener('change', l);
  }, [query]);
  return narrow;
}

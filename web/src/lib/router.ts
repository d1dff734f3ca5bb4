import { useEffect, useState } from 'preact/hooks';

/**
 * History routing: real paths (/dispatch, /admin/users) that the service answers with
 * the app's index.html, so a bookmark or a pasted link opens the right page.
 */
const listeners = new Set<() => void>();

export function currentPath(): string {
  return window.location.pathname.replace(/\/+$/, '') || '/';
}

export function currentQuery(): URLSearchParams {
  return new URLSearchParams(window.location.search);
}

export function navigate(to: string, opts: { replace?: boolean } = {}): void {
  const target = new URL(to, window.location.origin);
  if (target.pathname + target.search === window.location.pathname + window.location.search) return;
  if (opts.replace) history.replaceState(null, '', target.pathname + target.search);
  else history.pushState(null, '', target.pathname + target.search);
  for (const l of listeners) l();
  window.scrollTo(0, 0);
}

window.addEventListener('popstate', () => {
  for (const l of listeners) l();
});

// Same-origin links become in-app navigation (no reload, the live socket stays up).
document.addEventListener('click', (e) => {
  if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
  const a = (e.target as Element | null)?.closest?.('a');
  if (!a || a.target || a.hasAttribute('download')) return;
  const href = a.getAttribute('href');
  if (!href || !href.startsWith('/') || href.startsWith('//') || href.startsWith('/api/')) return;
  e.preventDefault();
  navigate(href);
});

/** The current path; re-renders on any navigation, the query included (?type= on the records page). */
export function usePath(): string {
  const [, setLocation] = useState(window.location.pathname + window.location.search);
  const path = currentPath();
  useEffect(() => {
    const l = () => setLocation(window.location.pathname + window.location.search);
    listeners.add(l);
    // A child's effect (a redirect) may have navigated before this effect subscribed.
    l();
    return () => {
      listeners.delete(l);
    };
  }, []);
  return path;
}

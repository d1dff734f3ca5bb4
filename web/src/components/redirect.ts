import { useEffect } from 'preact/hooks';
import { navigate } from '../lib/router.js';

/** Replaces the current history entry (so Back does not bounce into the redirect). */
export function Redirect(props: { to: string }) {
  useEffect(() => navigate(props.to, { replace: true }), [props.to]);
  return null;
}

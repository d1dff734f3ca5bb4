import type { ErrorDetail } from './errors.js';

/**
 * PostgreSQL cannot store U+0000 in text or JSONB (errors 22021 / 22P05), on a server as in
 * PGlite. Rather than teach every schema, the route layer walks each request's body, query
 * and path parameters once, keys included, and refuses a NUL at validation with its path.
 * The walk is iterative, so a deeply nested body cannot overflow the stack.
 */
export const NUL_MESSAGE = 'contains U+0000 (NUL), which text cannot hold';

const MAX_REPORTED = 20;

export function nulPaths(value: unknown, prefix: string, max = MAX_REPORTED): ErrorDetail[] {
  const found: ErrorDetail[] = [];
  const stack: Array<{ value: unknown; path: string }> = [{ value, path: prefix }];
  while (stack.length > 0 && found.length < max) {
    const { value: v, path } = stack.pop()!;
    if (typeof v === 'string') {
      if (v.includes('\u0000')) found.push({ path, message: NUL_MESSAGE });
    } else if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push({ value: v[i], path: `${path}.${i}` });
    } else if (v !== null && typeof v === 'object') {
      const entries = Object.entries(v as Record<string, unknown>);
      for (let i = entries.length - 1; i >= 0; i--) {
        const [key, child] = entries[i]!;
        const childPath = path ? `${path}.${key}` : key;
        if (key.includes('\u0000')) found.push({ path: childPath, message: `the key ${NUL_MESSAGE}` });
        else stack.push({ value: child, path: childPath });
      }
    }
  }
  return found;
}

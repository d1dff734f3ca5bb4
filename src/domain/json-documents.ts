/**
 * Whole and partial JSON documents: which keys a "whole" document left out (PUT), and
 * RFC 7396 merge patches (PATCH). Pure functions over parsed JSON.
 */
type Json = Record<string, unknown>;

function isPlainObject(x: unknown): x is Json {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/**
 * Paths of keys present in `complete` (a document after its schema filled the defaults)
 * but absent from `sent`: a PUT must carry them all, so a forgotten key never resets a
 * value to its default unseen. Recurses into objects and arrays present in both.
 */
export function missingKeys(sent: unknown, complete: unknown, path: string[] = []): string[][] {
  const out: string[][] = [];
  if (Array.isArray(complete) && Array.isArray(sent)) {
    complete.forEach((c, i) => out.push(...missingKeys(sent[i], c, [...path, String(i)])));
  } else if (isPlainObject(complete) && isPlainObject(sent)) {
    for (const [key, value] of Object.entries(complete)) {
      if (!Object.hasOwn(sent, key)) out.push([...path, key]);
      else out.push(...missingKeys(sent[key], value, [...path, key]));
    }
  }
  return out;
}

/**
 * Applies a JSON merge patch (RFC 7396): objects merge member by member at every depth,
 * arrays and plain values replace, null removes the member. A null aimed at a member the
 * target does not have is collected in `unknownRemovals` (a typo must not pass silently).
 */
export function mergePatch(target: unknown, patch: unknown, unknownRemovals: string[][] = [], path: string[] = []): unknown {
  if (!isPlainObject(patch)) return patch;
  const merged: Json = {};
  if (isPlainObject(target)) for (const [k, v] of Object.entries(target)) define(merged, k, v);
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) {
      if (!Object.hasOwn(merged, key)) unknownRemovals.push([...path, key]);
      delete merged[key];
    } else {
      define(merged, key, mergePatch(merged[key], value, unknownRemovals, [...path, key]));
    }
  }
  return merged;
}

/** An own data property even for "__proto__", which plain assignment would treat as the prototype. */
function define(obj: Json, key: string, value: unknown): void {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}

import { closeSync, mkdirSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, resolve } from 'node:path';

/**
 * PGlite runs PostgreSQL inside one process and takes no lock on its data directory: a
 * second process opening the same directory (the admin CLI beside the running service)
 * writes the same files unseen and can corrupt the store. So every opener takes this
 * lock first: a file beside the directory (`<dir>.lock`) created exclusively, holding the
 * owner's pid and host. A lock left by a process that died (kill -9) is taken over when
 * its pid is gone on this host; a lock from another host is never taken over.
 */
export class DataDirLockedError extends Error {}

export interface DataDirLock {
  path: string;
  release(): void;
}

interface LockOwner {
  pid: number;
  host: string;
  purpose: string;
  sinceIso: string;
}

export function lockPathFor(dataDir: string): string {
  return `${resolve(dataDir)}.lock`;
}

export function acquireDataDirLock(dataDir: string, purpose: string): DataDirLock {
  const path = lockPathFor(dataDir);
  mkdirSync(dirname(path), { recursive: true });
  const me: LockOwner = { pid: process.pid, host: hostname(), purpose, sinceIso: new Date().toISOString() };
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, 'wx');
      try {
        writeSync(fd, JSON.stringify(me));
      } finally {
        closeSync(fd);
      }
      let released = false;
      return {
        path,
        release: () => {
          if (released) return;
          released = true;
          try {
            if (readOwner(path)?.pid === me.pid) unlinkSync(path);
          } catch {
            // already gone: nothing to release
          }
        },
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const owner = readOwner(path);
    if (owner && (owner.host !== me.host || isAlive(owner.pid))) {
      throw new DataDirLockedError(
        `the embedded store ${resolve(dataDir)} is in use by process ${owner.pid} on ${owner.host} (${owner.purpose}, since ${owner.sinceIso}). `
        + 'PGlite serves one process at a time: stop that process first, or run the service on a PostgreSQL server (DATABASE_URL) to share the store. '
        + `If no such process exists, remove ${path}.`,
      );
    }
    // The owner died without releasing (or left an unreadable file): take the lock over.
    try {
      unlinkSync(path);
    } catch {
      // another process took it over first: the next attempt sees its lock
    }
  }
  throw new DataDirLockedError(`could not lock the embedded store ${resolve(dataDir)} (${path})`);
}

function readOwner(path: string): LockOwner | undefined {
  try {
    const parsed = JSON.parse(readFileSync(path, 'utf8')) as Partial<LockOwner>;
    return typeof parsed.pid === 'number' && typeof parsed.host === 'string'
      ? { pid: parsed.pid, host: parsed.host, purpose: String(parsed.purpose ?? '?'), sinceIso: String(parsed.sinceIso ?? '?') }
      : undefined;
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

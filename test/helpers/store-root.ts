import { accessSync, constants, statfsSync } from 'node:fs';
import { tmpdir } from 'node:os';

/**
 * Where the suites' PGlite stores live (the run's template and each suite's copy): a memory
 * file system when the machine has one with room to spare, else the temp directory. The
 * database syncs every commit to disk (fsync); on a disk under load that was most of a store
 * suite's time, and copying and removing a 40 MB store cost more than its tests. Nothing a
 * test asserts depends on the disk: a killed process's writes are in the kernel's page cache
 * either way (the crash test kills the service, not the machine).
 */
export function pgliteStoreRoot(): string {
  const shm = '/dev/shm';
  try {
    const fs = statfsSync(shm);
    // Docker gives containers 64 MB here by default: too small for a template and two copies.
    if (fs.bavail * fs.bsize >= 2 ** 30) {
      accessSync(shm, constants.W_OK);
      return shm;
    }
  } catch {
    // no /dev/shm (macOS, Windows): the temp directory
  }
  return tmpdir();
}

/**
 * The suites' PGlite buffer cache (PGLITE_SHARED_BUFFERS): a suite's store holds a few MB, and
 * PGlite zeroes the whole cache at every open (about 100 opens a run: 0.21 s of CPU each at
 * PostgreSQL's 128MB, 0.13 s at 16MB, and half the memory).
 */
export const TEST_PGLITE_SHARED_BUFFERS = '16MB';

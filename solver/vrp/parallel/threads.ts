/**
 * Worker threads for the parallel search: one per extra thread, alive for one solve() call.
 * The project runs from TypeScript through tsx, so a thread registers tsx's loader before it
 * imports worker.ts (Node 20 does not pass `--import tsx` to a worker's entry module; the
 * service's plan thread, src/planning/plan-thread.ts, starts its thread the same way). Run
 * from compiled JavaScript, the thread imports worker.js directly.
 */
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Model } from '../model.js';
import type { PoolRoute } from '../../lp/setPartition.js';
import type { SearchOptions, SearchResult } from '../search.js';
import type { FromSearchThread, ToSearchThread } from './worker.js';

function bootScript(): string {
  const fromTs = import.meta.url.endsWith('.ts');
  const entry = JSON.stringify(new URL(fromTs ? './worker.ts' : './worker.js', import.meta.url).href);
  if (!fromTs) return `import(${entry})`;
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm/api')).href.replace(/\.cjs$/, '.mjs');
  return `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${entry}); })`;
}

export class SearchThread {
  private readonly worker: Worker;
  private nextId = 0;
  private readonly pending = new Map<number, { resolve(r: { result: SearchResult; pool: PoolRoute[] }): void; reject(e: Error): void }>();
  private failure: Error | undefined;

  constructor(name: string) {
    this.worker = new Worker(bootScript(), { eval: true, name });
    const fail = (err: Error) => {
      this.failure ??= err;
      for (const p of this.pending.values()) p.reject(err);
      this.pending.clear();
    };
    this.worker.on('message', (m: FromSearchThread) => {
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if (m.type === 'done') p.resolve({ result: m.result, pool: m.pool });
      else p.reject(Object.assign(new Error(m.message), { stack: m.stack }));
    });
    this.worker.on('error', fail);
    this.worker.on('exit', (code) => fail(new Error(`search thread ${name} exited with code ${code}`)));
  }

  /** The model the next runs search (copied into the thread once). */
  setModel(model: Model): void {
    this.worker.postMessage({ type: 'model', model } satisfies ToSearchThread);
  }

  run(opts: Omit<SearchOptions, 'routePool' | 'onProgress'>, deadlineAtMs?: number): Promise<{ result: SearchResult; pool: PoolRoute[] }> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ type: 'run', id, opts, deadlineAtMs } satisfies ToSearchThread);
    });
  }

  async terminate(): Promise<void> {
    this.failure ??= new Error('search thread stopped');
    await this.worker.terminate();
  }
}

/**
 * A search thread of the parallel search (threads.ts starts it): it keeps the model it was
 * given and runs one search per request, answering with the search's result and the routes
 * it put in its pool (for set partitioning across threads).
 */
import { parentPort } from 'node:worker_threads';
import type { Model } from '../model.js';
import { RoutePool, search, type SearchOptions, type SearchResult } from '../search.js';
import type { PoolRoute } from '../../lp/setPartition.js';

export type ToSearchThread =
  | { type: 'model'; model: Model }
  /** deadlineAtMs: the round's wall-clock cap as a time (a thread may start its search late) */
  | { type: 'run'; id: number; opts: Omit<SearchOptions, 'routePool' | 'onProgress'>; deadlineAtMs?: number };
export type FromSearchThread =
  | { type: 'done'; id: number; result: SearchResult; pool: PoolRoute[] }
  | { type: 'error'; id: number; message: string; stack?: string };

const port = parentPort;
if (!port) throw new Error('vrp/parallel/worker.ts runs in a worker thread');

let model: Model | undefined;
port.on('message', (msg: ToSearchThread) => {
  if (msg.type === 'model') { model = msg.model; return; }
  try {
    if (!model) throw new Error('search thread: run before model');
    const pool = new RoutePool();
    const timeLimitMs = msg.deadlineAtMs === undefined ? msg.opts.timeLimitMs : Math.max(1, msg.deadlineAtMs - Date.now());
    const result = search(model, { ...msg.opts, timeLimitMs, routePool: pool });
    port.postMessage({ type: 'done', id: msg.id, result, pool: [...pool.routes.values()] } satisfies FromSearchThread);
  } catch (err) {
    const e = err instanceof Error ? err : new Error(String(err));
    port.postMessage({ type: 'error', id: msg.id, message: e.message, stack: e.stack } satisfies FromSearchThread);
  }
});

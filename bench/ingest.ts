/**
 * bench:ingest — K simulated JT/T 808 terminals over loopback TCP against the service with
 * a fresh store; measures sustained committed fixes/s, ack latency (send → 0x8001), fix-to-
 * live latency (send → the vehicle's state leaves the tracker), and peak RSS.
 *
 *   npm run bench:ingest -- [--terminals 1000] [--rate 20000|max] [--duration 20] [--warmup 3]
 *                           [--window 4] [--store pglite|postgres|both] [--live-rate 4]
 *
 * The service runs on this process's main thread; the terminals run in a worker thread, so
 * they share the machine's cores with the service (and with PostgreSQL when it is the store).
 * PostgreSQL: BENCH_DATABASE_URL or TEST_DATABASE_URL names a server; a fresh database is
 * created and dropped.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import pino from 'pino';
import { createScratchDatabase } from '../src/store/scratch-database.js';
import { loadConfig } from '../src/config.js';
import { startService, type Service } from '../src/service.js';
import { DEFAULT_MAX_BATCHES_PER_SECOND } from '../src/live/hub.js';
import { io as connectLive } from 'socket.io-client';
import { SimTerminal } from '../simulations/jt808-terminal.js';

type StoreKind = 'pglite' | 'postgres';

interface Options {
  terminals: number;
  /** Total fixes/s offered; 0 = as fast as acks allow (each terminal keeps `window` frames in flight). */
  rate: number;
  durationS: number;
  warmupS: number;
  window: number;
  stores: StoreKind[];
  /** LIVE_MAX_BATCHES_PER_SECOND for the service (per client); undefined = the service default. */
  liveRate?: number;
}

interface WorkerInput {
  port: number;
  /** Service base URL and a dispatcher-scope token for the socket.io live client. */
  url: string;
  token: string;
  terminalIds: string[];
  rate: number;
  durationS: number;
  warmupS: number;
  window: number;
}

/** What the simulator reports for the measured window (after warm-up). */
interface WorkerResult {
  sent: number;
  acked: number;
  failedAcks: number;
  /** Fixes the schedule wanted sent but every terminal had its window full (the service was behind). */
  deferred: number;
  ackLatencyMs: Float64Array;
  /** One entry per fix sent in the window: terminal index, fix time, send time (epoch ms). */
  sentTerminal: Int32Array;
  sentFixTimeMs: Float64Array;
  sentAtMs: Float64Array;
  /** States received on the live socket: terminal index, latest fix time, arrival time. */
  socketTerminal: Int32Array;
  socketFixTimeMs: Float64Array;
  socketAtMs: Float64Array;
  socketConnected: boolean;
}

/**
 * Latency of each fix sent to the moment a state carrying that fix or a newer one of the
 * same vehicle arrives (a coalesced update that skips a fix still delivers its position).
 * Per terminal both sequences are in fix-time order, so two pointers suffice.
 */
function fixLatencies(
  sends: { terminal: Int32Array; fixTimeMs: Float64Array; atMs: Float64Array },
  arrivals: { terminal: Int32Array; fixTimeMs: Float64Array; atMs: Float64Array },
  terminals: number,
): { sorted: Float64Array; unmatched: number } {
  const group = (terminal: Int32Array) => {
    const lists: number[][] = Array.from({ length: terminals }, () => []);
    for (let j = 0; j < terminal.length; j++) lists[terminal[j]!]!.push(j);
    return lists;
  };
  const sendsBy = group(sends.terminal);
  const arrivalsBy = group(arrivals.terminal);
  const out: number[] = [];
  let unmatched = 0;
  for (let i = 0; i < terminals; i++) {
    const a = arrivalsBy[i]!;
    let k = 0;
    for (const j of sendsBy[i]!) {
      const fixTime = sends.fixTimeMs[j]!;
      const sentAt = sends.atMs[j]!;
      while (k < a.length && (arrivals.fixTimeMs[a[k]!]! < fixTime || arrivals.atMs[a[k]!]! < sentAt)) k++;
      if (k < a.length) out.push(arrivals.atMs[a[k]!]! - sentAt);
      else unmatched++;
    }
  }
  return { sorted: Float64Array.from(out).sort(), unmatched };
}

const nowMs = () => performance.timeOrigin + performance.now();

/**
 * CPU seconds of this process's main thread (the service) from /proc: the per-thread figure
 * tells what one core does, however many other jobs share the machine. NaN off Linux.
 */
function mainThreadCpuS(): number {
  try {
    const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime are fields 14 and 15 of stat (11 and 12 after the command name).
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return NaN;
  }
}

function parseArgs(argv: string[]): Options {
  const get = (name: string) => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const num = (name: string, dflt: number) => {
    const v = get(name);
    if (v === undefined) return dflt;
    const n = Number(v);
    if (!Number.isFinite(n) || n < 0) throw new Error(`--${name} must be a non-negative number, got ${v}`);
    return n;
  };
  const pgUrl = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL;
  const store = get('store') ?? (pgUrl ? 'both' : 'pglite');
  if (!['pglite', 'postgres', 'both'].includes(store)) throw new Error('--store is pglite, postgres or both');
  if (store !== 'pglite' && !pgUrl) throw new Error('--store postgres needs BENCH_DATABASE_URL or TEST_DATABASE_URL');
  const rateArg = get('rate');
  return {
    terminals: Math.max(1, Math.round(num('terminals', 1000))),
    rate: rateArg === 'max' ? 0 : num('rate', 20_000),
    durationS: num('duration', 20),
    warmupS: num('warmup', 3),
    window: Math.max(1, Math.round(num('window', 4))),
    stores: store === 'both' ? ['pglite', 'postgres'] : [store as StoreKind],
    liveRate: get('live-rate') === undefined ? undefined : num('live-rate', DEFAULT_MAX_BATCHES_PER_SECOND),
  };
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

const terminalIdOf = (i: number) => `0139${String(i).padStart(8, '0')}`;
const vehicleIdOf = (i: number) => `bench-${String(i).padStart(5, '0')}`;


const ADMIN_TOKEN = 'bench-admin-token-0123456789abcdef';

async function runOne(kind: StoreKind, opts: Options) {
  const dataDir = mkdtempSync(join(tmpdir(), 'sanifleet-bench-'));
  const pgDb = kind === 'postgres' ? await createScratchDatabase((process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL)!) : undefined;
  let service: Service | undefined;
  let worker: Worker | undefined;
  try {
    const config = loadConfig({
      PORT: '0', HOST: '127.0.0.1', JT808_PORT: '0', JT808_HOST: '127.0.0.1', ADMIN_TOKEN, DEMO_CITY: 'never', LOG_LEVEL: 'silent',
      DATA_DIR: dataDir, ...(pgDb ? { DATABASE_URL: pgDb.url } : {}),
      ...(opts.liveRate !== undefined ? { LIVE_MAX_BATCHES_PER_SECOND: String(opts.liveRate) } : {}),
    });
    service = await startService(config, pino({ level: 'silent' }));
    const svc = service;

    // The fleet: one depot, K vehicles each bound to a terminal id, through the import endpoint.
    const vehicles = Array.from({ length: opts.terminals }, (_, i) => ({
      id: vehicleIdOf(i), plate: `沪B${String(i).padStart(5, '0')}`, kind: 'collector', wasteClasses: ['residual'], capacityKg: 8000,
      capacityM3: 18, sealed: true, homeDepotId: 'bench-depot', shift: { from: '04:00', to: '12:00' }, terminalId: terminalIdOf(i),
    }));
    const depots = [{ id: 'bench-depot', name: 'Bench depot', location: { type: 'Point', coordinates: [121.47, 31.23] } }];
    const imported = await fetch(`${svc.url}/api/v1/import`, {
      method: 'POST', headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ depots, vehicles }),
    });
    if (imported.status !== 200) throw new Error(`import failed: ${imported.status} ${await imported.text()}`);

    // Fix → tracker event: every state the tracker publishes (what the live hub consumes).
    const vehicleIndex = new Map(vehicles.map((v, i) => [v.id, i]));
    const eventTerminal: number[] = [];
    const eventFixTime: number[] = [];
    const eventAt: number[] = [];
    const rssAfterStart = process.memoryUsage().rss;
    svc.tracking.events.on('state', (state) => {
      if (!state.latest) return;
      const i = vehicleIndex.get(state.vehicleId);
      if (i === undefined) return;
      eventTerminal.push(i);
      eventFixTime.push(state.latest.fixTimeMs);
      eventAt.push(nowMs());
    });

    // The worker needs the TypeScript loader too: tsx registers it per thread.
    const bootstrap = `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then((m) => { m.register(); return import(${JSON.stringify(import.meta.url)}); })`;
    worker = new Worker(bootstrap, {
      eval: true,
      workerData: { port: svc.jt808Port!, url: svc.url, token: ADMIN_TOKEN, terminalIds: vehicles.map((v) => v.terminalId), rate: opts.rate, durationS: opts.durationS, warmupS: opts.warmupS, window: opts.window } satisfies WorkerInput,
    });
    const w = worker;
    const messages: Array<{ type: string; [k: string]: unknown }> = [];
    let notify = () => {};
    w.on('message', (m) => {
      messages.push(m);
      notify();
    });
    w.on('error', (e) => {
      messages.push({ type: 'error', error: String(e) });
      notify();
    });
    const next = async (type: string) => {
      for (;;) {
        const i = messages.findIndex((m) => m.type === type || m.type === 'error');
        if (i >= 0) {
          const [m] = messages.splice(i, 1);
          if (m!.type === 'error') throw new Error(`simulator failed: ${m!.error}`);
          return m!;
        }
        await new Promise<void>((r) => (notify = r));
      }
    };

    await next('ready');
    // RSS covers the whole process (service, simulator worker, PGlite's wasm memory);
    // heapUsed is the main isolate's, i.e. the service's own JS heap.
    let peakRss = process.memoryUsage().rss;
    let peakHeap = process.memoryUsage().heapUsed;
    const rssTimer = setInterval(() => {
      const m = process.memoryUsage();
      peakRss = Math.max(peakRss, m.rss);
      peakHeap = Math.max(peakHeap, m.heapUsed);
    }, 200);
    w.postMessage('go');
    await next('measure-start');
    const committed0 = svc.tracking.writer.committedRows;
    const tx0 = svc.tracking.writer.transactions;
    const elu0 = performance.eventLoopUtilization();
    const cpu0 = mainThreadCpuS();
    const processCpu0 = process.cpuUsage();
    const t0 = nowMs();
    await next('measure-end');
    const committed1 = svc.tracking.writer.committedRows;
    const tx1 = svc.tracking.writer.transactions;
    const elu = performance.eventLoopUtilization(elu0);
    const serviceCpuS = mainThreadCpuS() - cpu0;
    const processCpu = process.cpuUsage(processCpu0);
    const t1 = nowMs();
    const result = (await next('result')).result as WorkerResult;
    clearInterval(rssTimer);
    peakRss = Math.max(peakRss, process.memoryUsage().rss);

    // Every acknowledged fix must be in the log: a bench that loses data measures nothing.
    await svc.tracking.writer.drain();
    const storedRows = Number((await svc.db.query<{ n: string }>('select count(*) as n from positions')).rows[0]!.n);
    if (storedRows !== svc.tracking.writer.committedRows) throw new Error(`stored ${storedRows} rows but committed ${svc.tracking.writer.committedRows}`);
    if (result.acked > storedRows) throw new Error(`${result.acked} fixes acked but only ${storedRows} stored`);
    const ack = Float64Array.from(result.ackLatencyMs).sort();
    const sends = { terminal: result.sentTerminal, fixTimeMs: result.sentFixTimeMs, atMs: result.sentAtMs };
    const toEvent = fixLatencies(sends, { terminal: Int32Array.from(eventTerminal), fixTimeMs: Float64Array.from(eventFixTime), atMs: Float64Array.from(eventAt) }, opts.terminals);
    const toSocket = fixLatencies(sends, { terminal: result.socketTerminal, fixTimeMs: result.socketFixTimeMs, atMs: result.socketAtMs }, opts.terminals);
    const seconds = (t1 - t0) / 1000;
    return {
      store: kind,
      terminals: opts.terminals,
      offeredPerS: opts.rate === 0 ? 'max' : opts.rate,
      sentPerS: Math.round(result.sent / seconds),
      committedPerS: Math.round((committed1 - committed0) / seconds),
      rowsPerCommit: Math.round((committed1 - committed0) / Math.max(1, tx1 - tx0)),
      ackP50Ms: +percentile(ack, 50).toFixed(1),
      ackP99Ms: +percentile(ack, 99).toFixed(1),
      eventP50Ms: +percentile(toEvent.sorted, 50).toFixed(1),
      eventP99Ms: +percentile(toEvent.sorted, 99).toFixed(1),
      socketP50Ms: result.socketConnected ? +percentile(toSocket.sorted, 50).toFixed(1) : NaN,
      socketP99Ms: result.socketConnected ? +percentile(toSocket.sorted, 99).toFixed(1) : NaN,
      socketUnmatched: toSocket.unmatched,
      serviceEventLoopUtil: +elu.utilization.toFixed(2),
      /** Service thread CPU per wall second (1 = one full core) and what a full core would commit. */
      serviceCores: +(serviceCpuS / seconds).toFixed(2),
      perServiceCoreS: Math.round((committed1 - committed0) / serviceCpuS),
      processCores: +((processCpu.user + processCpu.system) / 1e6 / seconds).toFixed(2),
      deferred: result.deferred,
      failedAcks: result.failedAcks,
      rssAtStartMB: Math.round(rssAfterStart / 1e6),
      peakRssMB: Math.round(peakRss / 1e6),
      serviceHeapPeakMB: Math.round(peakHeap / 1e6),
    };
  } finally {
    await worker?.terminate();
    await service?.close();
    await pgDb?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------- simulator (worker thread)

async function simulate(input: WorkerInput): Promise<void> {
  const port = parentPort!;
  const K = input.terminalIds.length;
  const inFlight = new Int32Array(K);
  const nextK = new Int32Array(K);
  const pending: Array<Map<number, number>> = Array.from({ length: K }, () => new Map());
  // Fix times whole seconds apart (BCD), starting 20 h back so every one is in the accepted past.
  const baseMs = Math.floor(Date.now() / 1000) * 1000 - 20 * 3_600_000;
  let measuring = false;
  let stopped = false;
  let sent = 0;
  let acked = 0;
  let failedAcks = 0;
  let deferred = 0;
  const ackLatency: number[] = [];
  const sentTerminal: number[] = [];
  const sentFixTime: number[] = [];
  const sentAt: number[] = [];
  let sendOne: (i: number) => void = () => {};

  const terminals: SimTerminal[] = new Array(K);
  for (let start = 0; start < K; start += 100) {
    await Promise.all(input.terminalIds.slice(start, start + 100).map(async (id, j) => {
      const i = start + j;
      const t = await SimTerminal.connect(input.port, id, {
        onAck: (reply) => {
          const at = pending[i]!.get(reply.replySerial);
          if (at === undefined) return;
          pending[i]!.delete(reply.replySerial);
          inFlight[i]!--;
          if (reply.result !== 0) failedAcks++;
          if (at >= 0) {
            acked++;
            ackLatency.push(nowMs() - at);
          }
          if (input.rate === 0 && !stopped) sendOne(i);
        },
      });
      t.keepFrames = false;
      t.trackAcks = false;
      await t.login();
      terminals[i] = t;
    }));
  }

  sendOne = (i: number) => {
    const t = terminals[i]!;
    const k = nextK[i]!++;
    const fixTimeMs = baseMs + k * 1000;
    const at = nowMs();
    const serial = t.sendLocation({ fixTimeMs, lat: 31.2 + (i % 100) * 0.001 + k * 1e-5, lon: 121.4 + Math.floor(i / 100) * 0.001, speedKmh: 25, headingDeg: 90 });
    // Sends before the measured window are acked but not sampled (negative marker).
    pending[i]!.set(serial, measuring ? at : -1);
    inFlight[i]!++;
    if (measuring) {
      sent++;
      sentTerminal.push(i);
      sentFixTime.push(fixTimeMs);
      sentAt.push(at);
    }
  };

  // A dispatcher's live map: every fleet update that reaches its socket, with arrival time.
  const socketTerminal: number[] = [];
  const socketFixTime: number[] = [];
  const socketAt: number[] = [];
  const indexOfVehicle = new Map(input.terminalIds.map((_, i) => [vehicleIdOf(i), i]));
  const live = connectLive(input.url, { auth: { token: input.token }, transports: ['websocket'], reconnection: false });
  const onStates = (states: Array<{ vehicleId: string; latest?: { fixTimeMs: number } }>) => {
    const at = nowMs();
    if (!measuring) return;
    for (const st of states) {
      const i = indexOfVehicle.get(st.vehicleId);
      if (i === undefined || !st.latest) continue;
      socketTerminal.push(i);
      socketFixTime.push(st.latest.fixTimeMs);
      socketAt.push(at);
    }
  };
  live.on('fleet:update', onStates);
  const socketConnected = await new Promise<boolean>((resolve) => {
    live.once('fleet:snapshot', () => resolve(true));
    live.once('connect_error', () => resolve(false));
    setTimeout(() => resolve(false), 10_000);
  });

  port.postMessage({ type: 'ready' });
  await new Promise<void>((r) => port.once('message', () => r()));
  const startAt = nowMs();
  setTimeout(() => {
    measuring = true;
    port.postMessage({ type: 'measure-start' });
  }, input.warmupS * 1000);

  if (input.rate === 0) {
    for (let i = 0; i < K; i++) for (let w = 0; w < input.window; w++) sendOne(i);
    await new Promise((r) => setTimeout(r, (input.warmupS + input.durationS) * 1000));
  } else {
    // Paced: every few ms, send what the schedule says is due, round-robin over terminals with room.
    let offered = 0;
    let cursor = 0;
    const endAt = startAt + (input.warmupS + input.durationS) * 1000;
    while (nowMs() < endAt) {
      const due = Math.floor(((nowMs() - startAt) / 1000) * input.rate) - offered;
      let sentNow = 0;
      let scanned = 0;
      while (sentNow < due && scanned < K) {
        const i = cursor;
        cursor = (cursor + 1) % K;
        if (inFlight[i]! < input.window) {
          sendOne(i);
          sentNow++;
          scanned = 0;
        } else scanned++;
      }
      if (sentNow < due && measuring) deferred += due - sentNow;
      offered += due;
      await new Promise((r) => setTimeout(r, 5));
    }
  }
  port.postMessage({ type: 'measure-end' });
  stopped = true;
  // Let what is in flight be answered (or give up after 10 s).
  const drainUntil = nowMs() + 10_000;
  while (nowMs() < drainUntil && inFlight.some((n) => n > 0)) await new Promise((r) => setTimeout(r, 20));
  // The hub's last coalesced batch leaves up to one interval after the last commit.
  await new Promise((r) => setTimeout(r, 3 * (1000 / DEFAULT_MAX_BATCHES_PER_SECOND)));
  for (const t of terminals) await t.close();
  live.close();
  const result: WorkerResult = {
    sent, acked, failedAcks, deferred, socketConnected,
    socketTerminal: Int32Array.from(socketTerminal),
    socketFixTimeMs: Float64Array.from(socketFixTime),
    socketAtMs: Float64Array.from(socketAt),
    ackLatencyMs: Float64Array.from(ackLatency),
    sentTerminal: Int32Array.from(sentTerminal),
    sentFixTimeMs: Float64Array.from(sentFixTime),
    sentAtMs: Float64Array.from(sentAt),
  };
  port.postMessage({ type: 'result', result }, [result.ackLatencyMs.buffer, result.sentTerminal.buffer, result.sentFixTimeMs.buffer, result.sentAtMs.buffer, result.socketTerminal.buffer, result.socketFixTimeMs.buffer, result.socketAtMs.buffer] as ArrayBuffer[]);
}

async function main(): Promise<void> {
  const opts = parseArgs(process.argv.slice(2));
  const rows: Array<Awaited<ReturnType<typeof runOne>>> = [];
  for (const kind of opts.stores) rows.push(await runOne(kind, opts));
  const cols = Object.keys(rows[0]!) as Array<keyof (typeof rows)[number]>;
  const width = (c: string) => Math.max(c.length, ...rows.map((r) => String(r[c as keyof typeof r]).length));
  console.log(cols.map((c) => c.padEnd(width(c))).join('  '));
  for (const r of rows) console.log(cols.map((c) => String(r[c]).padEnd(width(c))).join('  '));
  console.log(
    `\n${opts.terminals} terminals on loopback TCP, ${opts.durationS} s measured after ${opts.warmupS} s warm-up, window ${opts.window} frames/terminal.` +
    `\nThe terminals (worker thread) share the machine's cores with the service (main thread) and PostgreSQL; peak RSS is the whole bench process.` +
    `\nevent = send → the tracker publishes a state with that fix (or a newer one) on service.tracking.events;` +
    `\nsocket = send → that state arrives at a dispatcher's socket.io client (the hub coalesces to ${opts.liveRate ?? DEFAULT_MAX_BATCHES_PER_SECOND} batches/s per client).`,
  );
  console.log(JSON.stringify({ bench: 'ingest', terminals: opts.terminals, rate: opts.rate || 'max', durationS: opts.durationS, window: opts.window, liveBatchesPerS: opts.liveRate ?? DEFAULT_MAX_BATCHES_PER_SECOND, results: rows }));
}

if (isMainThread) {
  main().then(() => process.exit(0), (err) => {
    console.error(err);
    process.exit(1);
  });
} else {
  simulate(workerData as WorkerInput).catch((err) => {
    parentPort!.postMessage({ type: 'error', error: String(err?.stack ?? err) });
  });
}

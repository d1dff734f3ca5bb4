/**
 * JT/T 808 fuzz benchmark: feeds >= 1,000,000 random and mutated frames (default) through the
 * decoders and live sessions, then times the hot path (one 0x0200 decode).
 *   npm run bench:fuzz -- [--cases N] [--seed S]
 * Prints a table, then exactly one JSON line.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  authBody, decodeLocation, decodeMessage, encodeFrame, Jt808Session, locationBody, runJt808Fuzz,
} from '../src/ingest/jt808/index.js';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

const cases = arg('cases', 1_000_000);
const seed = arg('seed', 808);
const here = dirname(fileURLToPath(import.meta.url));
const vectors = JSON.parse(readFileSync(join(here, '../test/fixtures/protocols/jt808/frames.json'), 'utf8')) as Array<{
  layer: string; kind: string; input: string; decoded?: { unescaped_hex?: string };
}>;
const seeds = vectors
  .filter((e) => e.layer === 'message' && e.kind === 'hex' && e.input.startsWith('7e'))
  .map((e) => {
    const b = Buffer.from(e.decoded?.unescaped_hex ?? e.input, 'hex');
    return b.subarray(1, b.length - 1);
  });

const started = performance.now();
const report = await runJt808Fuzz({ seed, cases, seeds });
const fuzzMs = performance.now() - started;

// Hot path: header + checksum + a typical 0x0200 with five items.
const body = locationBody({
  fixTimeMs: Date.UTC(2026, 0, 1), lat: 31.23, lon: 121.47, speedKmh: 35.5, headingDeg: 90,
  items: [
    { id: 0x01, value: Buffer.from([0, 0, 0x30, 0x39]) }, { id: 0x25, value: Buffer.alloc(4) },
    { id: 0x2a, value: Buffer.alloc(2) }, { id: 0x30, value: Buffer.from([25]) }, { id: 0x31, value: Buffer.from([12]) },
  ],
});
const wire = encodeFrame(0x0200, { phoneField: Buffer.from('013800138000', 'hex'), is2019: false }, 1, body);
const payload = wire.subarray(1, wire.length - 1);
const decodeOnce = () => {
  const r = decodeMessage(payload);
  if (!r.ok) throw new Error('bench frame rejected');
  const loc = decodeLocation(r.message.body, 0, r.message.body.length, r.message.header.terminalId);
  if (!loc.ok) throw new Error('bench location rejected');
  return loc.fix;
};
for (let i = 0; i < 50_000; i++) decodeOnce();
const decodeRuns = 500_000;
const t0 = performance.now();
for (let i = 0; i < decodeRuns; i++) decodeOnce();
const decodeUs = ((performance.now() - t0) * 1000) / decodeRuns;

// Whole session path: frames in, sink, 0x8001 out (one connection, trivial sink, 64 KB chunks).
const address = { phoneField: Buffer.from('013800138000', 'hex'), is2019: false };
let acks = 0;
let committed = 0;
const session = new Jt808Session({
  directory: {
    findByTerminalId: async () => ({ vehicleId: 'v1' }),
    issueAuthCode: async () => 'c',
    checkAuthCode: async (_id, code) => code === 'c',
  },
  sink: { submit: async (fixes) => void (committed += fixes.length) },
  send: () => void acks++,
});
await session.feed(encodeFrame(0x0102, address, 0, authBody('c')));
const sessionFrames = 200_000;
const stream = Buffer.concat(Array.from({ length: 2000 }, (_, i) => encodeFrame(0x0200, address, i + 1, body)));
const t1 = performance.now();
for (let sent = 0; sent < sessionFrames; sent += 2000) {
  for (let off = 0; off < stream.length; off += 65536) void session.feed(stream.subarray(off, off + 65536));
  await session.idle();
}
const sessionFramesPerS = Math.round(sessionFrames / ((performance.now() - t1) / 1000));
if (committed !== sessionFrames) throw new Error(`session committed ${committed} of ${sessionFrames}`);

const casesPerS = Math.round(report.cases / (fuzzMs / 1000));
const rows: Array<[string, string | number]> = [
  ['cases', report.cases],
  ['seed', seed],
  ['sessions (connections)', report.sessions],
  ['cases/s', casesPerS],
  ['messages accepted', report.messagesAccepted],
  ['fixes committed', report.fixesCommitted],
  ['simulated sink failures', report.sinkFailures],
  ['replies sent', report.repliesSent],
  ['exceptions', report.exceptions],
  ['invariant violations', report.invariantViolations],
  ['0x0200 decode (µs)', decodeUs.toFixed(3)],
  ['session 0x0200 frames/s', sessionFramesPerS],
];
console.log('JT/T 808 fuzz');
for (const [k, v] of rows) console.log(`  ${k.padEnd(26)} ${String(v).padStart(12)}`);
console.log('rejected by reason');
for (const [reason, n] of Object.entries(report.rejectedByReason).sort((a, b) => b[1] - a[1])) {
  console.log(`  ${reason.padEnd(26)} ${String(n).padStart(12)}`);
}
if (report.firstProblem) console.log(`first problem: ${report.firstProblem}`);
console.log(
  JSON.stringify({
    bench: 'jt808-fuzz', cases: report.cases, seed, casesPerS, fuzzMs: Math.round(fuzzMs),
    exceptions: report.exceptions, invariantViolations: report.invariantViolations,
    messagesAccepted: report.messagesAccepted, fixesCommitted: report.fixesCommitted,
    rejectedByReason: report.rejectedByReason, decode0200Us: Number(decodeUs.toFixed(3)), sessionFramesPerS,
  }),
);
process.exitCode = report.exceptions === 0 && report.invariantViolations === 0 ? 0 : 1;

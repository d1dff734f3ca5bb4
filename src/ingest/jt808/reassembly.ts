import type { Jt808Header } from './message.js';

export interface ReassemblyOptions {
  /** Messages being reassembled at once per terminal connection. */
  maxPendingMessages?: number;
  /** Bytes held across all pending messages. */
  maxPendingBytes?: number;
  /** A message whose packets stop arriving is dropped after this long. */
  timeoutMs?: number;
}

export type ReassemblyResult =
  | { status: 'incomplete' }
  | { status: 'complete'; body: Buffer; firstSerial: number }
  /** The packet was refused (buffer full, inconsistent total): the caller answers it negatively. */
  | { status: 'rejected'; reason: 'capacity' | 'inconsistent' };

interface Pending {
  parts: (Buffer | undefined)[];
  received: number;
  bytes: number;
  startedMs: number;
}

/**
 * Joins sub-packaged messages (header bit 13). Packets of one message carry consecutive serials,
 * so serial - index identifies the message even when packets interleave with other traffic.
 * Bounded in count and bytes; stale messages are evicted on the next push.
 */
export class SubpackageAssembler {
  private readonly pending = new Map<string, Pending>();
  private bytes = 0;
  private readonly maxPendingMessages: number;
  private readonly maxPendingBytes: number;
  private readonly timeoutMs: number;
  /** Messages dropped because their packets timed out. */
  expired = 0;

  constructor(options: ReassemblyOptions = {}) {
    this.maxPendingMessages = options.maxPendingMessages ?? 8;
    this.maxPendingBytes = options.maxPendingBytes ?? 256 * 1024;
    this.timeoutMs = options.timeoutMs ?? 60_000;
  }

  get pendingMessages(): number {
    return this.pending.size;
  }

  get pendingBytes(): number {
    return this.bytes;
  }

  push(header: Jt808Header, body: Buffer, nowMs: number): ReassemblyResult {
    this.evictStale(nowMs);
    const total = header.packetTotal!;
    const index = header.packetIndex!;
    const firstSerial = (header.serial - index + 1) & 0xffff;
    const key = `${header.msgId}:${total}:${firstSerial}`;
    let entry = this.pending.get(key);
    if (!entry) {
      if (this.pending.size >= this.maxPendingMessages) return { status: 'rejected', reason: 'capacity' };
      entry = { parts: new Array(total), received: 0, bytes: 0, startedMs: nowMs };
      this.pending.set(key, entry);
    }
    if (entry.parts.length !== total) return { status: 'rejected', reason: 'inconsistent' };
    const existing = entry.parts[index - 1];
    if (existing === undefined) {
      if (this.bytes + body.length > this.maxPendingBytes) return { status: 'rejected', reason: 'capacity' };
      entry.parts[index - 1] = Buffer.from(body);
      entry.received++;
      entry.bytes += body.length;
      this.bytes += body.length;
    }
    // A resent packet replaces nothing: the first copy wins.
    if (entry.received < total) return { status: 'incomplete' };
    this.pending.delete(key);
    this.bytes -= entry.bytes;
    return { status: 'complete', body: Buffer.concat(entry.parts as Buffer[]), firstSerial };
  }

  private evictStale(nowMs: number): void {
    for (const [key, entry] of this.pending) {
      if (nowMs - entry.startedMs > this.timeoutMs) {
        this.pending.delete(key);
        this.bytes -= entry.bytes;
        this.expired++;
      }
    }
  }
}

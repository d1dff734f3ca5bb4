import { z } from 'zod';

/**
 * Where a vendor puts one on/off signal. Bits count from 0 = least significant.
 * - status / alarm: a bit of the 0x0200 status or alarm DWORD (vendors reuse the reserved bits);
 * - item: a bit of an additional-information item's value read big-endian (e.g. 0x2A IO word,
 *   0x25 signal DWORD or a custom 0xE1-0xFF item), item values up to 4 bytes.
 */
export type SignalSource =
  | { from: 'status'; bit: number; activeWhen?: 0 | 1 }
  | { from: 'alarm'; bit: number; activeWhen?: 0 | 1 }
  | { from: 'item'; itemId: number; bit: number; activeWhen?: 0 | 1 };

/** A number carried in an additional-information item: raw big-endian unsigned (or signed) × scale. */
export interface ItemValueSource {
  itemId: number;
  /** Byte offset of the value inside the item (default 0). */
  offset?: number;
  bytes: 1 | 2 | 4;
  signed?: boolean;
  /** Multiplier from the raw value to the unit of the field (e.g. 10 when the item counts 10 kg). */
  scale: number;
}

/**
 * How one terminal model reports the sanitation-specific states that JT/T 808 does not
 * standardise. `activeWhen` is the bit value meaning "cover closed" / "body lifted" (default 1).
 */
export interface TerminalModelProfile {
  name: string;
  coverClosed?: SignalSource;
  bodyLifted?: SignalSource;
  /** Sweepers and washers: the brushes / spray bar are working (a pass counts only then). */
  working?: SignalSource;
  loadKg?: ItemValueSource;
  /**
   * The most GBK bytes of text one 0x8300 may carry to this model. The protocol's bound is the
   * 10-bit body length (1,023) less the flag byte (and the 2019 text-type byte); in-cab screens
   * with a smaller buffer say so here, and longer texts are sent in more chunks.
   */
  textMaxBytes?: number;
}

/**
 * The default profile decodes no vendor fields: there is no standard encoding for cover, lift or
 * payload weight (see the protocol brief, section 7), and a guessed mapping would turn spare bits
 * of an unknown terminal into false "uncovered while loaded" or "illegal dumping" alerts. Such a
 * terminal's fixes carry coverClosed/bodyLifted/loadKg as undefined (= unknown), and only the
 * standard load bits 8-9 fill loadState. Configure a profile per terminal model from the vendor's
 * protocol appendix instead.
 */
export const DEFAULT_TERMINAL_PROFILE: TerminalModelProfile = Object.freeze({ name: 'default' });

const bit = z.number().int().min(0).max(31);
const activeWhen = z.union([z.literal(0), z.literal(1)]).optional();
const itemId = z.number().int().min(0).max(255);

const signalSchema = z.discriminatedUnion('from', [
  z.object({ from: z.literal('status'), bit, activeWhen }),
  z.object({ from: z.literal('alarm'), bit, activeWhen }),
  z.object({ from: z.literal('item'), itemId, bit, activeWhen }),
]);

const profileSchema = z.object({
  name: z.string().min(1),
  coverClosed: signalSchema.optional(),
  bodyLifted: signalSchema.optional(),
  working: signalSchema.optional(),
  loadKg: z
    .object({
      itemId,
      offset: z.number().int().min(0).max(254).optional(),
      bytes: z.union([z.literal(1), z.literal(2), z.literal(4)]),
      signed: z.boolean().optional(),
      scale: z.number().positive(),
    })
    .optional(),
  textMaxBytes: z.number().int().min(16).max(1021).optional(),
});

/** Validates a profile read from configuration; throws with the offending field named. */
export function parseTerminalModelProfile(input: unknown): TerminalModelProfile {
  const result = profileSchema.safeParse(input);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new Error(`terminal model profile: ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  return result.data as TerminalModelProfile;
}

/**
 * Text bytes one 0x8300 carries when the model says nothing: the 10-bit body length (1,023) less
 * the flag and the 2019 text-type bytes, so a chunk fits whichever edition the terminal speaks.
 */
export const PROTOCOL_TEXT_MAX_BYTES = 1021;

export function textMaxBytesOf(profile: TerminalModelProfile): number {
  return Math.min(profile.textMaxBytes ?? PROTOCOL_TEXT_MAX_BYTES, PROTOCOL_TEXT_MAX_BYTES);
}

/** Picks the profile for a terminal model; unknown or missing models get the default. */
export class TerminalProfiles {
  private readonly byModel = new Map<string, TerminalModelProfile>();

  constructor(
    profiles: Record<string, TerminalModelProfile> = {},
    private readonly fallback: TerminalModelProfile = DEFAULT_TERMINAL_PROFILE,
  ) {
    for (const [model, profile] of Object.entries(profiles)) this.byModel.set(model, profile);
  }

  forModel(model: string | undefined): TerminalModelProfile {
    return (model !== undefined && this.byModel.get(model)) || this.fallback;
  }
}

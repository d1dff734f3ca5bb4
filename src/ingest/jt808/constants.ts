/** JT/T 808 message ids this layer understands (T = terminal, P = platform). */
export const MsgId = {
  terminalGeneralReply: 0x0001,
  heartbeat: 0x0002,
  logout: 0x0003,
  register: 0x0100,
  authenticate: 0x0102,
  location: 0x0200,
  positionQueryReply: 0x0201,
  locationBatch: 0x0704,
  platformGeneralReply: 0x8001,
  registerReply: 0x8100,
  setParameters: 0x8103,
  terminalControl: 0x8105,
  positionQuery: 0x8201,
  textMessage: 0x8300,
  /** Jointech lock vendor ids: 1-byte serial, non-808 body. */
  jointechLocation: 0x5501,
  jointechLocationBlind: 0x5502,
} as const;

/** Result byte of 0x8001 / 0x0001. */
export const GeneralResult = {
  ok: 0,
  failure: 1,
  badMessage: 2,
  unsupported: 3,
  alarmAcknowledged: 4,
} as const;
export type GeneralResultCode = (typeof GeneralResult)[keyof typeof GeneralResult];

/** Result byte of 0x8100. */
export const RegisterResult = {
  ok: 0,
  vehicleAlreadyRegistered: 1,
  vehicleNotInDatabase: 2,
  terminalAlreadyRegistered: 3,
  terminalNotInDatabase: 4,
} as const;
export type RegisterResultCode = (typeof RegisterResult)[keyof typeof RegisterResult];

export const FLAG = 0x7e;
export const ESCAPE = 0x7d;

/** Body length lives in 10 bits, so no standard body exceeds this. */
export const MAX_BODY_BYTES = 1023;
/** 2019 header (17) + packet fields (4) + body + checksum. */
export const MAX_FRAME_BYTES = 17 + 4 + MAX_BODY_BYTES + 1;

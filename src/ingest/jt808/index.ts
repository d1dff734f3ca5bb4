/** JT/T 808 protocol layer: framing, codec, session state machine and TCP server. */
export { MsgId, GeneralResult, RegisterResult, MAX_BODY_BYTES, MAX_FRAME_BYTES } from './constants.js';
export type { GeneralResultCode, RegisterResultCode } from './constants.js';
export { Jt808Framer, escapeFrame, xorChecksum } from './framer.js';
export type { Jt808Frame, FramerOptions } from './framer.js';
export { decodeMessage } from './message.js';
export type { Jt808Header, Jt808Message, DecodeMessageResult, MessageRejectReason } from './message.js';
export { decodeTerminalId, encodeTerminalId, luhnDigit } from './terminal-id.js';
export { decodeLocation, decodeBcdTimeGmt8, alarmNames, ALARM_BIT_NAMES } from './location.js';
export type { DecodeLocationResult, LocationRejectReason } from './location.js';
export { decodeGeneralReply, decodeRegister, decodeAuth, decodeBatch, decodeQueryReplySerial } from './bodies.js';
export type { GeneralReply, RegisterBody, AuthBody, BatchBody } from './bodies.js';
export {
  addressFor, buildPayload, encodeFrame, platformGeneralReplyBody, registerReplyBody, textMessageBody,
  setParametersBody, terminalControlBody, TextFlag, ParamId, splitTerminalText, numberedTextChunks,
} from './encode.js';
export type { FrameAddress, PacketPosition, TextMessageOptions, TerminalParameter } from './encode.js';
export { DEFAULT_TERMINAL_PROFILE, TerminalProfiles, parseTerminalModelProfile, PROTOCOL_TEXT_MAX_BYTES, textMaxBytesOf } from './profile.js';
export type { TerminalModelProfile, SignalSource, ItemValueSource } from './profile.js';
export { SubpackageAssembler } from './reassembly.js';
export type { ReassemblyOptions, ReassemblyResult } from './reassembly.js';
export { Jt808Session } from './session.js';
export type { TerminalDirectory, FixSink, Jt808Logger, Jt808SessionOptions, Jt808SessionEvent, RejectReason } from './session.js';
export { Jt808Server } from './server.js';
export type { Jt808ServerOptions } from './server.js';
export { locationBody, batchBody, registerBody, authBody, terminalGeneralReplyBody } from './terminal.js';
export type { LocationInput, RegisterInput } from './terminal.js';
export { runJt808Fuzz, seededRandom } from './fuzz.js';
export type { FuzzOptions, FuzzReport } from './fuzz.js';

import iconv from 'iconv-lite';

/** 0x0001 terminal general reply (also the shape of 0x8001). */
export interface GeneralReply {
  replySerial: number;
  replyMsgId: number;
  result: number;
}

export function decodeGeneralReply(body: Buffer): GeneralReply | null {
  if (body.length < 5) return null;
  return { replySerial: body.readUInt16BE(0), replyMsgId: body.readUInt16BE(2), result: body[4] };
}

export interface RegisterBody {
  edition: '2011' | '2013' | '2019';
  provinceId: number;
  cityId: number;
  makerId: string;
  terminalModel: string;
  terminalSerial: string;
  plateColor: number;
  /** Plate number, or the VIN when plateColor is 0 (not yet plated). */
  plate: string;
}

function fixedString(body: Buffer, at: number, len: number): string {
  let end = at + len;
  while (end > at && (body[end - 1] === 0 || body[end - 1] === 0x20)) end--;
  let start = at;
  while (start < end && body[start] === 0) start++;
  return body.toString('latin1', start, end);
}

/**
 * 0x0100. Field widths differ by edition: 2019 (header flag) uses 11/30/30 bytes for maker/model/
 * terminal id; 2013 uses 5/20/7 and 2011 5/8/7. 2011 and 2013 share the header, so a body of at
 * least 37 bytes (the 2013 fixed part) is read as 2013.
 */
export function decodeRegister(body: Buffer, is2019: boolean): RegisterBody | null {
  const [edition, maker, model, serial]: [RegisterBody['edition'], number, number, number] = is2019
    ? ['2019', 11, 30, 30]
    : body.length >= 37 ? ['2013', 5, 20, 7] : ['2011', 5, 8, 7];
  const fixed = 4 + maker + model + serial + 1;
  if (body.length < fixed) return null;
  let p = 4;
  const makerId = fixedString(body, p, maker); p += maker;
  const terminalModel = fixedString(body, p, model); p += model;
  const terminalSerial = fixedString(body, p, serial); p += serial;
  const plateColor = body[p++];
  return {
    edition,
    provinceId: body.readUInt16BE(0),
    cityId: body.readUInt16BE(2),
    makerId,
    terminalModel,
    terminalSerial,
    plateColor,
    plate: iconv.decode(body.subarray(p), 'gbk').replace(/\0+$/, ''),
  };
}

export interface AuthBody {
  code: string;
  imei?: string;
  firmwareVersion?: string;
}

/**
 * 0x0102. 2013: the whole body is the code. 2019: code length BYTE, code, IMEI[15], firmware[20].
 * A 2019-flagged body that does not add up to the 2019 layout is read the 2013 way, since some
 * terminals set the version flag but keep the old body.
 */
export function decodeAuth(body: Buffer, is2019: boolean): AuthBody {
  if (is2019 && body.length >= 1) {
    const codeLen = body[0];
    if (1 + codeLen + 15 + 20 === body.length) {
      return {
        code: body.toString('latin1', 1, 1 + codeLen),
        imei: fixedString(body, 1 + codeLen, 15),
        firmwareVersion: fixedString(body, 16 + codeLen, 20),
      };
    }
  }
  return { code: fixedString(body, 0, body.length) };
}

export interface BatchBody {
  /** 0 = normal batch, 1 = blind-area re-upload of stored points. */
  batchType: number;
  declaredCount: number;
  /** [start, end) of each item's 0x0200 body inside the message body. */
  items: Array<[number, number]>;
  /** An item ran past the body, or fewer items than declared: the rest was dropped. */
  truncated: boolean;
}

export function decodeBatch(body: Buffer): BatchBody | null {
  if (body.length < 3) return null;
  const declaredCount = body.readUInt16BE(0);
  const batchType = body[2];
  const items: Array<[number, number]> = [];
  let p = 3;
  let truncated = false;
  for (let i = 0; i < declaredCount; i++) {
    if (p + 2 > body.length) { truncated = true; break; }
    const len = body.readUInt16BE(p);
    p += 2;
    if (p + len > body.length) { truncated = true; break; }
    items.push([p, p + len]);
    p += len;
  }
  return { batchType, declaredCount, items, truncated };
}

/** 0x0201: the serial of our 0x8201, then a 0x0200 body. */
export function decodeQueryReplySerial(body: Buffer): number | null {
  return body.length >= 2 ? body.readUInt16BE(0) : null;
}

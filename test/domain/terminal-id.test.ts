import { describe, expect, it } from 'vitest';
import { canonicalTerminalId, deviceKeyClashes } from '../../src/domain/terminal-id.js';
import { decodeTerminalId, encodeTerminalId } from '../../src/ingest/jt808/terminal-id.js';

describe('canonical terminal id', () => {
  it('strips the zeros a 12-digit (2013) or 20-digit (2019) BCD field pads with', () => {
    for (const id of ['13800001001', '013800001001', '00000000013800001001']) expect(canonicalTerminalId(id)).toBe('13800001001');
    expect(canonicalTerminalId('000000000000')).toBe('0');
    expect(canonicalTerminalId('0')).toBe('0');
    expect(canonicalTerminalId('868935060005020')).toBe('868935060005020');
  });

  it('keeps ids that are not all digits as they are', () => {
    for (const id of ['007-phone', 'abc', '0x12', ' 0012', '']) expect(canonicalTerminalId(id)).toBe(id);
  });

  it('is what the JT/T 808 decoder reads from both header widths', () => {
    for (const sent of ['13800001001', '013800001001']) {
      expect(decodeTerminalId(encodeTerminalId(sent, 6), 0, 6)).toBe('13800001001');
      expect(decodeTerminalId(encodeTerminalId(sent, 10), 0, 10)).toBe('13800001001');
    }
  });

  it('finds one key claimed twice in a list, across the terminal and device fields', () => {
    expect(deviceKeyClashes([{ terminalId: '13800001001' }, { terminalId: '013800001001' }, { deviceId: '0013800001001' }, { deviceId: 'x' }, { terminalId: '5', deviceId: '05' }]))
      .toEqual([
        { index: 1, field: 'terminalId', key: '13800001001', otherIndex: 0, otherField: 'terminalId' },
        { index: 2, field: 'deviceId', key: '13800001001', otherIndex: 0, otherField: 'terminalId' },
      ]);
  });
});

// The wire form of a History message (field 1, repeated HistoryEvent): built from events that
// are already encoded, and split back into them. Responses splice it in as is; storage keeps
// each commit's new events of a run as one such piece.

export function varint(value: number): Buffer {
  const bytes: number[] = [];
  while (value > 0x7f) {
    bytes.push((value & 0x7f) | 0x80);
    value = Math.floor(value / 128);
  }
  bytes.push(value);
  return Buffer.from(bytes);
}

export const lengthDelimitedTag = (fieldId: number): Buffer => varint((fieldId << 3) | 2);

const EVENTS_TAG = lengthDelimitedTag(1); // History.events = 1

/** Encodes a History message from already-encoded HistoryEvent messages. */
export function encodeHistory(events: Buffer[]): Buffer {
  const parts: Buffer[] = [];
  for (const event of events) parts.push(EVENTS_TAG, varint(event.length), event);
  return Buffer.concat(parts);
}

/** The encoded HistoryEvent messages of an encoded History message (views, not copies). */
export function splitHistory(bytes: Buffer): Buffer[] {
  const events: Buffer[] = [];
  let pos = 0;
  while (pos < bytes.length) {
    if (bytes[pos++] !== EVENTS_TAG[0]) throw new Error(`not an encoded History: unexpected tag at byte ${pos - 1}`);
    let length = 0;
    let factor = 1;
    let byte: number;
    do {
      byte = bytes[pos++];
      length += (byte & 0x7f) * factor;
      factor *= 128;
    } while (byte & 0x80);
    events.push(bytes.subarray(pos, pos + length));
    pos += length;
  }
  if (pos !== bytes.length) throw new Error('not an encoded History: truncated event');
  return events;
}

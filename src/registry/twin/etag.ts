/**
 * A twin's etag is base64 of the 8-byte big-endian count of service-side writes (`AAAAAAAAAAE=` = 1);
 * the root `version` is that count plus the reported `$version` (Azure docs, "Understand and use device twins in IoT Hub").
 * Both directions go through one scratch buffer as two 32-bit halves (counts stay below 2^53): twin
 * jobs make and read an etag per device, and a fresh Buffer and a BigInt each time cost more than the rest of the step.
 */
const scratch = Buffer.alloc(8);
const HIGH = 2 ** 32;

export function twinEtag(serviceWrites: number): string {
  scratch.writeUInt32BE(Math.floor(serviceWrites / HIGH), 0);
  scratch.writeUInt32BE(serviceWrites % HIGH, 4);
  return scratch.toString('base64');
}

export function twinServiceWrites(etag: string): number {
  const length = scratch.write(etag, 'base64');
  if (length < 8) throw new RangeError(`Twin etag '${etag}' does not hold 8 bytes`);
  return scratch.readUInt32BE(0) * HIGH + scratch.readUInt32BE(4);
}

/**
 * A twin's etag is base64 of the 8-byte big-endian count of service-side writes (`AAAAAAAAAAE=` = 1);
 * the root `version` is that count plus the reported `$version` (Azure docs, "Understand and use device twins in IoT Hub").
 */
export function twinEtag(serviceWrites: number): string {
  const bytes = Buffer.alloc(8);
  bytes.writeBigUInt64BE(BigInt(serviceWrites));
  return bytes.toString('base64');
}

export function twinServiceWrites(etag: string): number {
  return Number(Buffer.from(etag, 'base64').readBigUInt64BE());
}

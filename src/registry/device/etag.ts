/** A device (identity) etag is base64 of an ASCII decimal counter, e.g. `MQ==` for 1, as IoT Hub numbers them. */
export const deviceEtag = (counter: number): string => Buffer.from(String(counter), 'ascii').toString('base64');

export const deviceEtagCounter = (etag: string): number => Number(Buffer.from(etag, 'base64').toString('ascii'));

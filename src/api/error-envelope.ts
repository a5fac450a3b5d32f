import { randomBytes } from 'node:crypto';
import type { HubError } from '../errors/hub-error.js';

/** IoT Hub's error body: `{"Message": …, "ExceptionMessage": …}` (what IoT Hub's REST API answers, and what the Azure SDKs parse). */
export interface ErrorBody {
  Message: string;
  ExceptionMessage: string;
}

export const newTrackingId = (): string => randomBytes(16).toString('hex');

/** `MM/dd/yyyy HH:mm:ss` in UTC, as IoT Hub stamps ExceptionMessage. */
function envelopeTimestamp(at: Date): string {
  const two = (n: number) => String(n).padStart(2, '0');
  return `${two(at.getUTCMonth() + 1)}/${two(at.getUTCDate())}/${at.getUTCFullYear()} ${two(at.getUTCHours())}:${two(at.getUTCMinutes())}:${two(at.getUTCSeconds())}`;
}

/**
 * Envelope 1: `Message` = `ErrorCode:<Name>;<text>`, `ExceptionMessage` = the tracking line.
 * Envelope 2 (direct methods): `Message` is a JSON string with the numeric code, `ExceptionMessage` empty.
 */
export function errorBody(err: HubError, trackingId = newTrackingId(), at = new Date()): ErrorBody {
  if (err.envelope === 2) {
    return {
      Message: JSON.stringify({
        errorCode: err.numericCode,
        trackingId,
        message: err.message,
        info: err.info,
        timestampUtc: at.toISOString(),
      }),
      ExceptionMessage: '',
    };
  }
  return {
    Message: `ErrorCode:${err.code};${err.message}`,
    ExceptionMessage: `Tracking ID:${trackingId}-G:0-TimeStamp:${envelopeTimestamp(at)}`,
  };
}

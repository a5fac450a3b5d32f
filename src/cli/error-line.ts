import { HUB_ERROR_CODES } from '../errors/hub-error.js';

const CODE_NAMES = new Map<number, string>(Object.entries(HUB_ERROR_CODES).map(([name, code]) => [code, name]));

const oneLine = (text: string) => text.replace(/\s+/g, ' ').trim();

/**
 * One readable line for an error response of the hub (or of Azure IoT Hub): IoT Hub's envelope 1
 * `{"Message":"ErrorCode:<Name>;<text>",…}`, envelope 2 (direct methods) whose Message is JSON with
 * a numeric `errorCode`, or whatever else came back.
 */
export function hubErrorLine(status: number, body: string): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return `HTTP ${status}${body.trim() ? `: ${oneLine(body).slice(0, 300)}` : ''}`;
  }
  const message = (parsed as { Message?: unknown } | null)?.Message;
  if (typeof message === 'string') {
    const envelope1 = /^ErrorCode:([^;]*);([\s\S]*)$/.exec(message);
    if (envelope1) return `${envelope1[1]}: ${oneLine(envelope1[2]!)} (HTTP ${status})`;
    try {
      const inner = JSON.parse(message) as { errorCode?: unknown; message?: unknown };
      if (typeof inner.errorCode === 'number') {
        const name = CODE_NAMES.get(inner.errorCode) ?? 'Error';
        return `${name} (${inner.errorCode}): ${oneLine(String(inner.message ?? ''))} (HTTP ${status})`;
      }
    } catch {
      return `HTTP ${status}: ${oneLine(message)}`;
    }
  }
  return `HTTP ${status}: ${oneLine(body).slice(0, 300)}`;
}

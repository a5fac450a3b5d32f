import express from 'express';

/** Largest request body: a direct-method payload may be 128 KB, a twin body ~40 KB of counted content. */
export const MAX_BODY_BYTES = 512 * 1024;

/** Content type of streamed JSON lines (device import), which routes read themselves. */
export const JSON_LINES = 'application/x-ndjson';

/**
 * JSON bodies are parsed whatever Content-Type says (curl users often omit it), except JSON lines;
 * malformed JSON and oversized bodies become IoT Hub errors in errorHandler. A request without a body
 * leaves req.body undefined.
 */
export const jsonBody = express.json({
  limit: MAX_BODY_BYTES,
  type: (req) => !String(req.headers['content-type'] ?? '').startsWith(JSON_LINES),
  strict: false,
});

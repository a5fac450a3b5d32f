import express, { type RequestHandler } from 'express';
import { HubError } from '../errors/hub-error.js';
import { MAX_JSON_DEPTH, unstorableJson } from '../registry/json.js';

/** Largest request body: a direct-method payload may be 128 KB, a twin body ~40 KB of counted content. */
export const MAX_BODY_BYTES = 512 * 1024;

/** Content type of streamed JSON lines (device import), which routes read themselves. */
export const JSON_LINES = 'application/x-ndjson';

/** Deeper bodies are refused: code walking a body recursively could overflow the stack (a 500 before). */
export const MAX_BODY_DEPTH = MAX_JSON_DEPTH;

const refuseDeepBodies: RequestHandler = (req, _res, next) => {
  if (unstorableJson(req.body, MAX_BODY_DEPTH) === 'too deep') {
    throw new HubError('ArgumentInvalid', `The request body nests arrays and objects more than ${MAX_BODY_DEPTH} levels deep`);
  }
  next();
};

/**
 * JSON bodies are parsed whatever Content-Type says (curl users often omit it), except JSON lines;
 * malformed JSON, oversized and over-deep bodies become IoT Hub errors in errorHandler. A request
 * without a body leaves req.body undefined.
 */
export const jsonBody: RequestHandler[] = [
  express.json({ limit: MAX_BODY_BYTES, type: (req) => !String(req.headers['content-type'] ?? '').startsWith(JSON_LINES), strict: false }),
  refuseDeepBodies,
];

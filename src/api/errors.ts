import type { ErrorRequestHandler, RequestHandler, Response } from 'express';
import { HubError, isHubError } from '../errors/hub-error.js';
import type { Logger } from '../logger.js';
import { errorBody, newTrackingId } from './error-envelope.js';

/** Writes a HubError in IoT Hub's format, with the `iothub-errorcode` header SDKs match on. */
export function sendHubError(res: Response, err: HubError, trackingId = newTrackingId()): void {
  res.status(err.httpStatus).set('iothub-errorcode', err.code).json(errorBody(err, trackingId));
}

/** Errors raised by Express itself (body parser, path decoding) for client mistakes, as HubErrors. */
function clientError(err: unknown): HubError | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const { type, status, message } = err as { type?: string; status?: number; message?: string; limit?: number };
  switch (type) {
    case 'entity.parse.failed':
      return new HubError('IotHubFormatError', `The request body is not valid JSON: ${message}`);
    case 'entity.too.large':
      return new HubError('MessageTooLarge', `The request body is larger than the limit of ${(err as { limit: number }).limit} bytes`);
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return new HubError('IotHubFormatError', `The request body cannot be read: ${message}`);
    case 'request.aborted':
    case 'request.size.invalid':
      return new HubError('GenericBadRequest', `The request body was incomplete: ${message}`);
  }
  // Path segments that are not valid percent-encoding (Express reports them with status 400).
  if (status === 400) return new HubError('ArgumentInvalid', message ?? 'Bad request');
  return undefined;
}

/** The last middleware: HubErrors as they are, client mistakes mapped, anything else a logged 500. */
export function errorHandler(log: Logger): ErrorRequestHandler {
  return (err, req, res, _next) => {
    const hubError = isHubError(err) ? err : clientError(err);
    const trackingId = newTrackingId();
    if (hubError) {
      sendHubError(res, hubError, trackingId);
      return;
    }
    log.error({ err, trackingId }, `Internal error on ${req.method} ${req.path} (tracking id ${trackingId})`);
    if (res.headersSent) {
      res.destroy();
      return;
    }
    sendHubError(res, new HubError('ServerError', 'An internal error occurred, see the hub log for this tracking id'), trackingId);
  };
}

export const notFound: RequestHandler = (req) => {
  throw new HubError('GenericNotFound', `No such resource: ${req.method} ${req.path}`);
};

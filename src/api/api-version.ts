import type { RequestHandler } from 'express';
import { HubError } from '../errors/hub-error.js';

const OLDEST_SUPPORTED = '2018-06-30';
const VERSION = /^(\d{4}-\d{2}-\d{2})(-preview)?$/;

/** Every route takes `?api-version=`; any version from 2018-06-30 on is served the same way. */
export const requireApiVersion: RequestHandler = (req, _res, next) => {
  const value = req.query['api-version'];
  if (value === undefined) {
    throw new HubError('InvalidProtocolVersion', `The api-version query parameter is required, e.g. api-version=2021-04-12`);
  }
  const date = typeof value === 'string' ? VERSION.exec(value)?.[1] : undefined;
  if (date === undefined || date < OLDEST_SUPPORTED) {
    throw new HubError('InvalidProtocolVersion', `api-version '${String(value)}' is not supported: use ${OLDEST_SUPPORTED} or later, e.g. 2021-04-12`);
  }
  next();
};

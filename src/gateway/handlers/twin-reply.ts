import type { Client } from 'aedes';
import { isHubError } from '../../errors/hub-error.js';
import { sendToDevice } from '../session/send.js';
import { twinResponseTopic } from '../topics.js';

/**
 * Answers a twin request with an error. The device SDK ignores the status in the topic and fails the
 * request when the body is JSON with a truthy `errorCode`, using `message` as the error text.
 */
export function replyTwinError(client: Client, rid: string, err: unknown, onError: (err: unknown) => void): void {
  if (isHubError(err)) {
    sendToDevice(client, twinResponseTopic(err.httpStatus, rid), JSON.stringify({ errorCode: err.numericCode, message: err.message }));
    return;
  }
  onError(err);
  sendToDevice(client, twinResponseTopic(500, rid), JSON.stringify({ errorCode: 500001, message: 'Internal server error.' }));
}

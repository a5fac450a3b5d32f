import { HubError } from '../../errors/hub-error.js';

const MAX_LENGTH = 128;
// ASCII letters and digits plus - : . + % _ # * ? ! ( ) , = @ ; $ ' (spec §4.1).
const ALLOWED = /^[A-Za-z0-9\-:.+%_#*?!(),=@;$']+$/;

/** Throws ArgumentInvalid unless `deviceId` follows IoT Hub's device id rules. */
export function validateDeviceId(deviceId: string): void {
  if (deviceId.length === 0) throw new HubError('ArgumentInvalid', 'Device id must not be empty');
  if (deviceId.length > MAX_LENGTH) {
    throw new HubError('ArgumentInvalid', `Device id '${deviceId.slice(0, 32)}…' is ${deviceId.length} characters long, more than ${MAX_LENGTH}`);
  }
  if (!ALLOWED.test(deviceId)) {
    throw new HubError(
      'ArgumentInvalid',
      `Device id '${deviceId}' is invalid: only ASCII letters, digits and - : . + % _ # * ? ! ( ) , = @ $ ' and semicolon are allowed`,
    );
  }
}

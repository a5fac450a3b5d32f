import { HubError } from '../../errors/hub-error.js';

const MAX_LENGTH = 128;
// ASCII letters and digits plus - : . + % _ # * ? ! ( ) , = @ ; $ ' (IoT Hub's device identity rules).
const ALLOWED = /^[A-Za-z0-9\-:.+%_#*?!(),=@;$']+$/;

/** Throws ArgumentInvalid unless `deviceId` follows IoT Hub's device id rules (module ids follow the same). */
export function validateDeviceId(deviceId: string, what: 'Device id' | 'Module id' = 'Device id'): void {
  if (deviceId.length === 0) throw new HubError('ArgumentInvalid', `${what} must not be empty`);
  if (deviceId.length > MAX_LENGTH) {
    throw new HubError('ArgumentInvalid', `${what} '${deviceId.slice(0, 32)}…' is ${deviceId.length} characters long, more than ${MAX_LENGTH}`);
  }
  if (!ALLOWED.test(deviceId)) {
    throw new HubError(
      'ArgumentInvalid',
      `${what} '${deviceId}' is invalid: only ASCII letters, digits and - : . + % _ # * ? ! ( ) , = @ $ ' and semicolon are allowed`,
    );
  }
}

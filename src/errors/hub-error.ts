/**
 * IoT Hub's error catalogue. The numeric code is HTTP status × 1000 + sub-code; SDKs match on the
 * name (envelope 1, `ErrorCode:<Name>;…`) or on the number (envelope 2, direct methods).
 */
export const HUB_ERROR_CODES = {
  GenericBadRequest: 400000,
  InvalidProtocolVersion: 400001,
  InvalidOperation: 400003,
  ArgumentInvalid: 400004,
  ArgumentNull: 400005,
  IotHubFormatError: 400006,
  IotHubUnauthorizedAccess: 401002,
  IotHubQuotaExceeded: 403002,
  JobQuotaExceeded: 403003,
  DeviceDisabled: 403012,
  DeviceMaximumInflightMethodExceeded: 403800,
  /** No such resource (an unknown REST route); IoT Hub has no documented name for this 404. */
  GenericNotFound: 404000,
  DeviceNotFound: 404001,
  JobNotFound: 404002,
  ModuleNotFound: 404010,
  /** No such configuration (IoT Hub's automatic device management). */
  ConfigurationNotFound: 404012,
  DeviceNotOnline: 404103,
  DeviceAlreadyExists: 409001,
  DeviceJobAlreadyExists: 409103,
  JobAlreadyExists: 409104,
  ModuleAlreadyExistsOnDevice: 409301,
  ConfigurationAlreadyExists: 409302,
  PreconditionFailed: 412001,
  JobRunPreconditionFailed: 412003,
  MessageTooLarge: 413001,
  ThrottlingException: 429001,
  ThrottlingMaxActiveJobCountExceeded: 429004,
  ServerError: 500001,
  ServiceUnavailable: 503001,
  GatewayTimeout: 504101,
} as const;

export type HubErrorCode = keyof typeof HUB_ERROR_CODES;

/**
 * Envelope 1 is `{"Message":"ErrorCode:<Name>;<text>","ExceptionMessage":…}` (registry, twins, jobs);
 * envelope 2 wraps a JSON string with the numeric `errorCode` (direct methods).
 */
export type HubErrorEnvelope = 1 | 2;

/** A client-visible error of the hub: every layer throws these, the API renders them. */
export class HubError extends Error {
  readonly envelope: HubErrorEnvelope;
  readonly info: Record<string, unknown>;

  constructor(
    readonly code: HubErrorCode,
    message: string,
    options: { envelope?: HubErrorEnvelope; info?: Record<string, unknown>; cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = 'HubError';
    this.envelope = options.envelope ?? 1;
    this.info = options.info ?? {};
  }

  get numericCode(): number {
    return HUB_ERROR_CODES[this.code];
  }

  get httpStatus(): number {
    return Math.floor(this.numericCode / 1000);
  }
}

export const isHubError = (err: unknown): err is HubError => err instanceof HubError;

/** The little logging the hub does; processes pass console, tests a silent or capturing logger. */
export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string, err?: unknown): void;
}

export const consoleLogger: Logger = {
  info: (message) => console.log(message),
  warn: (message) => console.warn(message),
  error: (message, err) => console.error(message, err ?? ''),
};

export const silentLogger: Logger = { info() {}, warn() {}, error() {} };

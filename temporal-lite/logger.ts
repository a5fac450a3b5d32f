/** Where temporal-lite reports problems. Defaults to warnings and errors on stderr. */
export interface Logger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export function stderrLogger(level: 'debug' | 'info' | 'warn' | 'error' = 'warn'): Logger {
  const order = ['debug', 'info', 'warn', 'error'];
  const min = order.indexOf(level);
  const at = (level: string) => (message: string) => {
    if (order.indexOf(level) >= min) process.stderr.write(`temporal-lite ${level}: ${message}\n`);
  };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

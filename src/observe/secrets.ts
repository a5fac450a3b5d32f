/**
 * Secrets as they appear in text: connection-string keys (`SharedAccessKey=…`, IoT Hub connection
 * strings), SAS token signatures (`sig=…`, in a header value or a query string) and PEM private
 * keys. The value is replaced, the name kept, so a line still says what was there.
 * https://learn.microsoft.com/azure/iot-hub/authenticate-authorize-sas
 */
const PATTERNS: ReadonlyArray<[RegExp, string]> = [
  // `SharedAccessKey=<base64>` up to the next `;` or quote/space (also matches the JSON-escaped form).
  [/(SharedAccessKey=)[^;"'\s\\&]+/gi, '$1[redacted]'],
  // `sig=<url-encoded base64>` in SAS tokens.
  [/([?&\s]sig=|^sig=|"sig=)[^&"'\s\\;]+/gi, '$1[redacted]'],
  // JSON fields holding keys: "primaryKey":"…", "secondaryKey":"…", "sharedAccessKey":"…".
  [/("(?:primaryKey|secondaryKey|sharedAccessKey|authorization|password)"\s*:\s*")[^"]*"/gi, '$1[redacted]"'],
  [/-----BEGIN [A-Z ]*PRIVATE KEY-----[^-]*-----END [A-Z ]*PRIVATE KEY-----/g, '[redacted private key]'],
  // A password in a URL: postgres://user:password@host.
  [/(\b[a-z][a-z0-9+.-]*:\/\/[^:/@\s"]+:)[^@/\s"]+@/gi, '$1[redacted]@'],
];

export function scrubSecrets(text: string): string {
  let clean = text;
  for (const [pattern, replacement] of PATTERNS) clean = clean.replace(pattern, replacement);
  return clean;
}

import { LIMITS } from './limits';

/**
 * Meter asks for 64 or more characters ({@link LIMITS}); 32 bytes give 64
 * hex digits.
 *
 * @public
 */
export const EXTERNAL_ID_BYTES = LIMITS.externalId.min / 2;

/**
 * A new external ID: 32 bytes from the platform's cryptographic random
 * source (Web Crypto, in Node.js and browsers alike), as 64 hex characters,
 * the same as `openssl rand -hex 32` in Meter's guide.
 *
 * @public
 */
export function generateExternalId(): string {
  const bytes = new Uint8Array(EXTERNAL_ID_BYTES);
  globalThis.crypto.getRandomValues(bytes);
  return Array.from(bytes, b => b.toString(16).padStart(2, '0')).join('');
}

/**
 * Replaces every occurrence of the secrets in a text, so that a message
 * built from an AWS response can never carry them into a log.
 *
 * @public
 */
export function redact(text: string, secrets: ReadonlyArray<string>): string {
  return secrets
    .filter(secret => secret.length > 0)
    .reduce((out, secret) => out.split(secret).join('[redacted]'), text);
}

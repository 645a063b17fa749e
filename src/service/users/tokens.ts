import { hash, randomBytes } from 'node:crypto';

/** Tokens are 256 random bits, so a fast hash is enough to keep the stored form useless to a thief. */
export function newToken(): string {
  return `img_${randomBytes(32).toString('base64url')}`;
}

export function hashToken(token: string): string {
  // One call, no Hash object: every API request hashes its token.
  return hash('sha256', token, 'hex');
}

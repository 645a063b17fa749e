import { hash, randomBytes } from 'node:crypto';

/**
 * Tokens are 256 random bits, so a fast hash is enough to keep the stored form useless to a thief. The prefix
 * says what a token opens: `img_` an API login, `imgs_` a share link.
 */
export function newToken(prefix: 'img_' | 'imgs_' = 'img_'): string {
  return `${prefix}${randomBytes(32).toString('base64url')}`;
}

export function hashToken(token: string): string {
  // One call, no Hash object: every API request hashes its token.
  return hash('sha256', token, 'hex');
}

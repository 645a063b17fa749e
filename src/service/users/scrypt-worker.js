// @ts-check
// The password hashing threads' task (piscina loads it in each thread). Plain JavaScript: a worker thread does
// not inherit the TypeScript loader when `imger` registers it at run time (bin/imger.js).
import { scryptSync } from 'node:crypto';

/**
 * scrypt of one password, synchronously: this thread is one of the pool's own, so the wait blocks neither the
 * event loop nor libuv's thread pool, which file reads share.
 * @param {{ password: string; salt: Uint8Array; keyLength: number; N: number; r: number; p: number }} task
 * @returns {Uint8Array}
 */
export default function scryptTask({ password, salt, keyLength, N, r, p }) {
  return scryptSync(password, salt, keyLength, { N, r, p, maxmem: 256 * N * r });
}

import { randomBytes, timingSafeEqual } from 'node:crypto';
import { Piscina } from 'piscina';
import { ServiceError } from '../errors.ts';

/** OWASP's scrypt minimum (N=2^17, r=8, p=1); the parameters are stored with each hash so they can be raised later. */
export const DEFAULT_SCRYPT_COST = 2 ** 17;
const r = 8;
const p = 1;
const KEY_LENGTH = 32;
/** Reject stored parameters that would make one check allocate more than this (a corrupt or hostile row). */
const MAX_SCRYPT_MEMORY = 1024 ** 3;

export interface HashingLimits {
  /** Threads that hash at once: each takes a core and 128 MiB while it works. */
  threads: number;
  /** Hashes that may wait for a thread; one more is refused at once rather than queued. */
  queue: number;
}

export const DEFAULT_HASHING_LIMITS: HashingLimits = { threads: 1, queue: 8 };

/**
 * scrypt in a small pool of threads of its own, with a bounded queue. Node's own async scrypt runs on libuv's
 * four threads, which file reads share: two dozen parallel logins held a log download for half a minute. Here a
 * flood of logins waits for these threads only, and what does not fit in the queue is refused with `busy`.
 */
export interface PasswordHasher {
  /** `scrypt$N$r$p$salt$key`, salt and key in base64. */
  hash(password: string, cost?: number): Promise<string>;
  verify(password: string, stored: string): Promise<boolean>;
  close(): Promise<void>;
}

export function createPasswordHasher(limits: HashingLimits = DEFAULT_HASHING_LIMITS): PasswordHasher {
  const pool = new Piscina({
    filename: new URL('./scrypt-worker.js', import.meta.url).href,
    minThreads: 0,
    maxThreads: limits.threads,
    maxQueue: limits.queue,
    idleTimeout: 30_000,
  });
  const scrypt = async (password: string, salt: Buffer, keyLength: number, cost: Cost): Promise<Buffer> => {
    try {
      const key: Uint8Array = await pool.run({ password, salt, keyLength, ...cost });
      return Buffer.from(key);
    } catch (error) {
      // piscina's refusals of a task for a full queue (there is no error code to test).
      if (/task queue|all workers are busy/i.test((error as Error).message)) {
        throw new ServiceError(
          'busy',
          'too many passwords are being checked at once; try again in a moment',
          undefined,
          1,
        );
      }
      throw error;
    }
  };
  return {
    async hash(password, N = DEFAULT_SCRYPT_COST) {
      const salt = randomBytes(16);
      const key = await scrypt(password, salt, KEY_LENGTH, { N, r, p });
      return ['scrypt', N, r, p, salt.toString('base64'), key.toString('base64')].join('$');
    },
    async verify(password, stored) {
      const parsed = parseHash(stored);
      if (!parsed) return false;
      const actual = await scrypt(password, parsed.salt, parsed.key.length, parsed.cost);
      return timingSafeEqual(actual, parsed.key);
    },
    close: () => pool.destroy(),
  };
}

interface Cost {
  N: number;
  r: number;
  p: number;
}

function parseHash(stored: string): { cost: Cost; salt: Buffer; key: Buffer } | null {
  const [scheme, n, rr, pp, salt, key] = stored.split('$');
  const cost = { N: Number(n), r: Number(rr), p: Number(pp) };
  const valid =
    scheme === 'scrypt' &&
    salt !== undefined &&
    key !== undefined &&
    Object.values(cost).every((value) => Number.isSafeInteger(value) && value > 0) &&
    128 * cost.N * cost.r <= MAX_SCRYPT_MEMORY;
  return valid ? { cost, salt: Buffer.from(salt, 'base64'), key: Buffer.from(key, 'base64') } : null;
}

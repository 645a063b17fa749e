import fastifyRateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Config } from '../config/index.ts';
import { ServiceError } from '../errors.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** The account a password is being checked for: the key of the per-account limit. */
    loginAccount: string;
  }
}

export interface LoginGuard {
  /**
   * Runs `verify` (a password check: null when wrong) unless the account or the client address has had too
   * many failures lately: then 429 with Retry-After, whether the password is right or not, so guessing on
   * cannot tell. A wrong password counts against both and is answered 401.
   */
  attempt<T>(request: FastifyRequest, account: string, verify: () => Promise<T | null>): Promise<T>;
}

/**
 * The limits on failed logins of every route that checks a password, as @fastify/rate-limit counters: one
 * keyed by the account, one by the client address (the library's key, an IPv6 client's /64 as one address).
 * Only failures are counted, so people and scripts that know their password are never held back by their own
 * logins; the counts live in this process, so each web node has its own.
 */
export async function installLoginGuard(app: FastifyInstance, settings: Config['web']): Promise<LoginGuard> {
  await app.register(fastifyRateLimit, { global: false });
  app.decorateRequest('loginAccount', '');
  const timeWindow = settings.login_lock_minutes * 60_000;
  const limits = [
    {
      what: 'this account',
      count: app.createRateLimit({
        max: settings.login_failures,
        timeWindow,
        // Case folded: an LDAP server finds ALICE's entry as alice's, so spellings must not add attempts.
        keyGenerator: (request) => `account:${request.loginAccount.toLowerCase()}`,
      }),
    },
    {
      what: 'your address',
      count: app.createRateLimit({ max: settings.login_failures_per_address, timeWindow }),
    },
  ];
  return {
    async attempt(request, account, verify) {
      request.loginAccount = account;
      for (const { what, count } of limits) {
        const state = await count(request, { increment: false });
        if (!state.isAllowed && state.remaining === 0) {
          throw new ServiceError(
            'too-many-requests',
            `too many failed logins for ${what}; try again in ${state.ttlInSeconds} s`,
            undefined,
            state.ttlInSeconds,
          );
        }
      }
      const result = await verify();
      if (result !== null) return result;
      for (const { count } of limits) await count(request);
      throw new ServiceError('unauthorized', 'wrong user name or password');
    },
  };
}

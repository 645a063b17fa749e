import type { Kysely } from 'kysely';
import { ulid } from 'ulid';
import { MAX_SHARE_HOURS } from '../../contract/shares.ts';
import type { Database } from '../db/schema.ts';
import { ServiceError } from '../errors.ts';
import { hashToken, newToken } from '../users/tokens.ts';

/** A share link as its maker sees it later: never its token. */
export interface ShareLink {
  id: string;
  jobId: string;
  createdBy: string;
  created: string;
  expires: string;
}

export interface CreatedShareLink extends ShareLink {
  /** Shown once: only its sha256 is stored. */
  token: string;
}

/** `imgs_` and 256 random bits in base64url: what a link's path holds, checked before any lookup. */
const TOKEN_SHAPE = /^imgs_[A-Za-z0-9_-]{43}$/;

export interface ShareService {
  create(jobId: string, createdBy: string, hours: number): Promise<CreatedShareLink>;
  /** The job's links that still work, soonest to expire first; expired ones are swept here. */
  list(jobId: string): Promise<ShareLink[]>;
  revoke(jobId: string, id: string): Promise<void>;
  /** The link a token opens; null when malformed, unknown, revoked or expired, alike. */
  resolve(token: string): Promise<ShareLink | null>;
}

/**
 * Links are random tokens stored hashed rather than HMAC-signed: revoking must work anyway, which needs a row
 * per link, and with the row there is no server secret to keep, share between web nodes and rotate. The lookup
 * compares sha256 digests in the database's index, so the time an answer takes depends on the digest of what was
 * sent, never on how much of a real token it matched.
 */
export function createShareService(db: Kysely<Database>, options: { now?: () => Date } = {}): ShareService {
  const now = options.now ?? (() => new Date());
  const present = (row: Database['share_links']): ShareLink => ({
    id: row.id,
    jobId: row.job_id,
    createdBy: row.created_by,
    created: row.created,
    expires: row.expires,
  });
  return {
    async create(jobId, createdBy, hours) {
      if (!Number.isInteger(hours) || hours < 1 || hours > MAX_SHARE_HOURS)
        throw new ServiceError(
          'bad-request',
          `expires_in_hours: a whole number from 1 to ${MAX_SHARE_HOURS}`,
        );
      const stamp = now();
      const token = newToken('imgs_');
      const row = {
        id: ulid(),
        job_id: jobId,
        token_hash: hashToken(token),
        created_by: createdBy,
        created: stamp.toISOString(),
        expires: new Date(stamp.getTime() + hours * 3_600_000).toISOString(),
      };
      await db.insertInto('share_links').values(row).execute();
      return { ...present(row), token };
    },

    async list(jobId) {
      await db.deleteFrom('share_links').where('expires', '<=', now().toISOString()).execute();
      const rows = await db
        .selectFrom('share_links')
        .selectAll()
        .where('job_id', '=', jobId)
        .orderBy('expires')
        .execute();
      return rows.map(present);
    },

    async revoke(jobId, id) {
      const deleted = await db
        .deleteFrom('share_links')
        .where('id', '=', id)
        .where('job_id', '=', jobId)
        .executeTakeFirst();
      if (deleted.numDeletedRows === 0n)
        throw new ServiceError('not-found', `job ${jobId} has no share link ${id}`);
    },

    async resolve(token) {
      if (!TOKEN_SHAPE.test(token)) return null;
      const row = await db
        .selectFrom('share_links')
        .selectAll()
        .where('token_hash', '=', hashToken(token))
        .where('expires', '>', now().toISOString())
        .executeTakeFirst();
      return row ? present(row) : null;
    },
  };
}

// What makes two builds from the same inputs give the same bytes (reproducible-builds.org practice, as
// mmdebstrap does it): one time for every timestamp (SOURCE_DATE_EPOCH, from the package sources), and every
// "random" identity (filesystem UUIDs, ext4's directory hash seed, password salts) derived from one seed that
// stands for the build's inputs. The seed is never secret material: it only has to differ when the inputs do.
import { createHash, createHmac } from 'node:crypto';

export interface Reproducibility {
  /** Hex; the same inputs give the same seed. */
  seed: string;
  /** Seconds since 1970: no file in the image is newer, and the tools stamp their own times with it. */
  sourceDateEpoch: number;
}

/** The seed of a build: the SHA-256 of its canonical inputs (the caller's canonical JSON). */
export function seedOf(canonicalInputs: string): string {
  return createHash('sha256').update(canonicalInputs).digest('hex');
}

/** `bytes` derived from the seed for one purpose; different purposes never share bytes. */
function derive(seed: string, purpose: string, bytes: number): Buffer {
  return createHmac('sha256', Buffer.from(seed, 'hex')).update(purpose).digest().subarray(0, bytes);
}

/** A random-looking (version 4, RFC 4122 variant) UUID derived from the seed. */
export function derivedUuid(seed: string, purpose: string): string {
  const b = derive(seed, `uuid:${purpose}`, 16);
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const hex = b.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** A FAT volume id (what a vfat "UUID" is), XXXX-XXXX, derived from the seed. */
export function derivedVolumeId(seed: string, purpose: string): string {
  const hex = derive(seed, `fat:${purpose}`, 4).toString('hex').toUpperCase();
  return `${hex.slice(0, 4)}-${hex.slice(4)}`;
}

const cryptAlphabet = './0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/**
 * A yescrypt setting (`$y$j9T$` and 20 salt characters, 120 bits) for one user's password. The salt differs
 * for every user and every set of inputs, so equal passwords still hash differently across images.
 */
export function passwordSetting(seed: string, user: string): string {
  const salt = [...derive(seed, `salt:${user}`, 20)].map((byte) => cryptAlphabet[byte % 64]).join('');
  return `$y$j9T$${salt}`;
}

/** A day of slack for a mirror's clock; a Date beyond it (or none) says nothing about the sources. */
const clockSlackS = 86_400;

/**
 * SOURCE_DATE_EPOCH from the `Date:` fields of the suites' Release files the build resolved: the newest,
 * since the image holds packages of every suite. Undefined when none has a plausible date.
 */
export function sourceDateEpoch(releaseTexts: readonly string[], now = Date.now()): number | undefined {
  let newest: number | undefined;
  for (const text of releaseTexts) {
    const field = /^Date:[ \t]*(.{1,64})$/m.exec(text.slice(0, 64 * 1024))?.[1];
    const ms = field ? Date.parse(field) : Number.NaN;
    if (!Number.isFinite(ms) || ms <= 0 || ms > now + clockSlackS * 1000) continue;
    const seconds = Math.floor(ms / 1000);
    newest = newest === undefined ? seconds : Math.max(newest, seconds);
  }
  return newest;
}

export function reproducibleEnv(repro: Reproducibility | undefined): Record<string, string> {
  return repro ? { SOURCE_DATE_EPOCH: String(repro.sourceDateEpoch) } : {};
}

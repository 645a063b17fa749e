import type { TestContext } from 'node:test';
import { createJobService, type JobService, type SubmitInput } from '../../../src/service/jobs/index.ts';
import { type DatabaseKind, testDatabase } from '../helpers.ts';

export const alice = { username: 'alice', admin: false };
export const bob = { username: 'bob', admin: false };
export const admin = { username: 'root', admin: true };

export const validKickstart =
  'lang en_US.UTF-8\nkeyboard us\ntimezone UTC\nrootpw secret\n%packages\nbash\n%end\n';

export function submission(overrides: Partial<SubmitInput> = {}): SubmitInput {
  return { kickstart: validKickstart, type: 'fs', arch: 'x86_64', name: 'test', ...overrides };
}

export interface Clock {
  now: () => Date;
  advance(ms: number): void;
}

export function fakeClock(): Clock {
  let time = Date.parse('2026-01-01T00:00:00Z');
  return { now: () => new Date(time), advance: (ms) => (time += ms) };
}

export async function jobService(
  t: TestContext,
  kind: DatabaseKind,
  clock = fakeClock(),
): Promise<JobService> {
  const { db, dialect } = await testDatabase(t, kind);
  return createJobService({ db, dialect, now: clock.now });
}

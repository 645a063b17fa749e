// A build order as the worker writes one for its child: an fs build of `kickstart` on the shipped defaults.
import { randomUUID } from 'node:crypto';
import type { BuildOrder } from '../../../src/service/worker/child-protocol.ts';
import { testSettings } from './settings.ts';

const defaults = testSettings({ baseDir: '/nowhere' });

export function fsOrder(
  kickstart: string,
  outputDir: string,
  changes: { job?: Partial<BuildOrder['job']> } & Partial<Omit<BuildOrder, 'job'>> = {},
): BuildOrder {
  const { job, ...rest } = changes;
  return {
    job: {
      id: randomUUID(),
      name: 'test',
      type: 'fs',
      arch: 'x86_64',
      kickstart,
      tokenmap: '',
      extra_repos: [],
      packages: [],
      ...job,
    },
    outputDir,
    builder: 'native',
    micOpts: [],
    deadlineMs: 60 * 60_000,
    gpgKeyDir: defaults.gpgKeyDir,
    sandboxIdBase: defaults.sandboxIdBase,
    ...rest,
  };
}

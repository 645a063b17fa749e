// A build VM's base roots, back into the host's cache. The guest reads the host's cache read-only (under an
// overlay), so a root it makes there goes with it; without this, a worker with use_kvm would bootstrap every
// build from nothing. But the guest is where other people's code runs as root, and a base root is shared with
// every later build of the same inputs, native or not: a root the host took on the guest's word could carry one
// user's trojan into another user's image. So the host takes a root only when
// - nothing but IMG's code and trusted packages ran in the guest before the root was made: the build's package
//   sources are all the host's own (the admin's choice, the rule the initramfs cache follows) and it has no
//   %pre, the only user code before the bootstrap;
// - the guest announced it, with its size and SHA-256, before the build's first event of a step after the
//   bootstrap: up to there the guest was IMG's (a later takeover can send more announcements, not unsend the
//   step's event, which came first);
// - the bytes the guest left in the share are those announced, read by the host after qemu ended.
import { constants, copyFile, lstat, mkdir, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { aptSourcesOf, onlyHostSources, readHostSources } from '../../../builder/apt-sources.ts';
import { pruneRoots } from '../../../builder/cache.ts';
import { digestFile } from '../../../builder/file-digest.ts';
import { resolveKickstart } from '../../../builder/from-kickstart.ts';
import {
  type BaseRootMessage,
  type BuildOrder,
  CACHE_EXPORT_FOLDER,
  type ChildMessage,
} from '../child-protocol.ts';

/** Why the host takes no base root from this build, or null when it may. */
export async function whyNoBaseRootWriteBack(order: BuildOrder, signal: AbortSignal): Promise<string | null> {
  if (order.builder !== 'native') return 'mic makes no base roots';
  const { job } = order;
  let recipe: Awaited<ReturnType<typeof resolveKickstart>>['recipe'];
  try {
    ({ recipe } = await resolveKickstart(
      {
        kickstart: job.kickstart,
        type: job.type,
        arch: job.arch,
        name: job.name,
        tokenmap: job.tokenmap,
        overlay: { repos: [...job.extra_repos], packages: [...job.packages] },
        gpgKeyDir: order.gpgKeyDir,
        outputDir: '',
      },
      signal,
    ));
  } catch (error) {
    return `the kickstart does not resolve here (${(error as Error).message})`;
  }
  if (recipe.scripts.some((script) => script.kind === 'pre'))
    return 'its %pre runs before the base root is made';
  if (recipe.sources.some((source) => source.kind === 'rpm'))
    return 'rpm repositories are the kickstart’s, not the host’s own sources';
  const { repos } = await aptSourcesOf(recipe);
  if (!onlyHostSources(repos, await readHostSources()))
    return 'a package source that is not one of the host’s own runs its package scripts in the base root';
  return null;
}

/** The steps up to the base root's storing: no user code of a build that may write back runs in them. */
const BEFORE_USER_CODE = new Set(['resolve', 'bootstrap']);

/** Listens to the guest's messages in their order and keeps the announcements made in time. */
export function baseRootAnnouncements() {
  const announced: BaseRootMessage[] = [];
  let open = true;
  return {
    announced,
    /** 'late' for an announcement that came after the guest stopped being IMG's alone. */
    hear(message: ChildMessage): 'kept' | 'late' | 'other' {
      if (message.type === 'base-root') {
        if (!open) return 'late';
        announced.push(message);
        return 'kept';
      }
      if ('step' in message && message.step !== undefined && !BEFORE_USER_CODE.has(message.step))
        open = false;
      return 'other';
    },
  };
}

/** Where the cache keeps base roots by key (pipeline.ts: `roots/<base root key>.tar.zst`). */
const BASE_ROOT_PATH = /^roots\/[0-9a-f]{64}\.tar\.zst$/;

/**
 * Moves each announced root from the job's share into the host's cache, if the share holds exactly what was
 * announced and the cache has none by that name yet; the rest is left for the share's removal.
 */
export async function takeBaseRoots(
  share: string,
  cacheDir: string,
  announced: readonly BaseRootMessage[],
  log: (line: string) => void,
): Promise<void> {
  for (const root of announced) {
    const refuse = (why: string) =>
      log(`build VM: base root ${JSON.stringify(root.inCache)} not taken: ${why}`);
    if (!BASE_ROOT_PATH.test(root.inCache)) {
      refuse('not a base root of the cache');
      continue;
    }
    const from = join(share, CACHE_EXPORT_FOLDER, root.inCache);
    const found = await lstat(from).catch(() => undefined);
    if (!found?.isFile() || found.size !== root.size) {
      refuse('the share does not hold a file of the announced size');
      continue;
    }
    // A link at the end of the path is refused by the hash itself.
    const digest = await digestFile(from).catch(() => undefined);
    if (digest?.sha256 !== root.sha256 || digest.size !== root.size) {
      refuse('its bytes are not those announced');
      continue;
    }
    const to = join(cacheDir, root.inCache);
    if (await lstat(to).catch(() => undefined)) continue;
    await mkdir(dirname(to), { recursive: true });
    const partial = `${to}.${process.pid}.partial`;
    try {
      await copyFile(from, partial, constants.COPYFILE_FICLONE);
      // rename is atomic: a build reading the cache sees no root or a whole one.
      await rename(partial, to);
    } finally {
      await rm(partial, { force: true });
    }
    log(`build VM: stored the base root it made as ${to}`);
    for (const pruned of await pruneRoots(dirname(to))) log(`pruned the unused base root ${pruned}`);
  }
}

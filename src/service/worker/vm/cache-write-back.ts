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
import { randomUUID } from 'node:crypto';
import { chmod, constants, copyFile, link, lstat, mkdir, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { aptSourcesOf, onlyHostSources, readHostSources } from '../../../builder/apt-sources.ts';
import { pruneRoots } from '../../../builder/cache.ts';
import { digestFile } from '../../../builder/file-digest.ts';
import { planBuild } from '../../../builder/plan.ts';
import {
  type BaseRootMessage,
  type BuildOrder,
  CACHE_EXPORT_FOLDER,
  type ChildMessage,
} from '../child-protocol.ts';

/**
 * Why the host takes no base root from this build, or null when it may. From the plan alone: nothing is asked of
 * the network (a repository whose kind only a request would tell is not one of the host's sources anyway).
 */
export async function whyNoBaseRootWriteBack(order: BuildOrder): Promise<string | null> {
  if (order.builder !== 'native') return 'mic makes no base roots';
  const { job } = order;
  const planned = planBuild({
    kickstart: job.kickstart,
    type: job.type,
    arch: job.arch,
    tokenmap: job.tokenmap,
    overlay: { repos: [...job.extra_repos], packages: [...job.packages] },
    file: `${job.name}.ks`,
    gpgKeyDir: order.gpgKeyDir,
  });
  if (!planned.ok) return 'the kickstart is refused (the build says why)';
  const { recipe, undetected } = planned.plan;
  if (recipe.scripts.some((script) => script.kind === 'pre'))
    return 'its %pre runs before the base root is made';
  if (undetected.length > 0 || recipe.sources.some((source) => source.kind === 'rpm'))
    return 'a repository that is not an apt source of the host’s own';
  // The host's archive with a key of the kickstart's own verifies against that key, not the admin's.
  if (recipe.sources.some((source) => source.gpgKey !== undefined))
    return 'a repository verified with a key of the kickstart’s own';
  try {
    const { repos, fromHost } = await aptSourcesOf(recipe);
    if (!fromHost && !onlyHostSources(repos, await readHostSources()))
      return 'a package source that is not one of the host’s own runs its package scripts in the base root';
  } catch (error) {
    return `the host’s apt sources cannot be read (${(error as Error).message})`;
  }
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
    // A name of its own: two builds of one worker may bring the same root at once.
    const partial = join(dirname(to), `.${randomUUID()}.partial`);
    try {
      if (await lstat(to).catch(() => undefined)) continue;
      await mkdir(dirname(to), { recursive: true });
      await copyFile(from, partial, constants.COPYFILE_EXCL | constants.COPYFILE_FICLONE);
      // qemu stored the guest's file 0600; the builder's roots are 0644.
      await chmod(partial, 0o644);
      // link never replaces: a root another build put there first stays, whole.
      await link(partial, to);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST')
        refuse(`storing it failed: ${(error as Error).message}`);
      continue;
    } finally {
      await rm(partial, { force: true });
    }
    log(`build VM: stored the base root it made as ${to}`);
    const pruned = await pruneRoots(dirname(to)).catch(() => []);
    for (const path of pruned) log(`pruned the unused base root ${path}`);
  }
}

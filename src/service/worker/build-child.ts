// The build child's entry: one job, one process, so a cancel or a crash takes only this build with it.
import { copyFile, mkdir } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { digestFile } from '../../builder/file-digest.ts';
import type { ImageBuilder } from '../../builder/image-builder.ts';
import { createMicBuilder } from '../../builder/mic/index.ts';
import { createNativeImageBuilder } from '../../builder/native-image-builder.ts';
import { type BuildOrder, CACHE_EXPORT_FOLDER, type ChildMessage } from './child-protocol.ts';
import { startChild } from './child-runtime.ts';

/**
 * In a build VM: a base root just stored in the VM's cache (gone with the VM) is hashed, copied out to the
 * host through the job's share and announced, before the build goes on to the steps that run user code.
 */
function exportBaseRoot(order: BuildOrder, send: (message: ChildMessage) => void) {
  return async ({ path, inCache }: { path: string; inCache: string }): Promise<void> => {
    const { size, sha256 } = await digestFile(path);
    const to = join(order.outputDir, CACHE_EXPORT_FOLDER, inCache);
    await mkdir(dirname(to), { recursive: true });
    await copyFile(path, to);
    send({ type: 'base-root', inCache, size, sha256 });
  };
}

function builderFor(order: BuildOrder, send: (message: ChildMessage) => void): ImageBuilder {
  return order.builder === 'mic'
    ? createMicBuilder({ extraOptions: order.micOpts, timeoutMs: order.deadlineMs })
    : createNativeImageBuilder({
        deadlineMs: order.deadlineMs,
        gpgKeyDir: order.gpgKeyDir,
        sandboxIdBase: order.sandboxIdBase,
        ...(order.exportBaseRoots ? { onBaseRootStored: exportBaseRoot(order, send) } : {}),
      });
}

const { order, signal, send } = await startChild();
const { job } = order;
const outcome = await builderFor(order, send).build({
  kickstart: job.kickstart,
  type: job.type,
  arch: job.arch,
  name: job.name,
  tokenmap: job.tokenmap,
  overlay: { repos: job.extra_repos, packages: job.packages },
  // The worker writes the job's log from these events, with its own lines in it; the builder leaves it alone.
  writeLog: false,
  outputDir: order.outputDir,
  signal,
  onEvent: send,
});
if (outcome.ok) {
  const main = outcome.artifacts.find((artifact) => artifact.main);
  const digests = Object.fromEntries(
    outcome.artifacts.flatMap((artifact) =>
      artifact.digest ? [[basename(artifact.path), artifact.digest]] : [],
    ),
  );
  send({ type: 'result', ok: true, main: main ? basename(main.path) : null, digests });
} else {
  send({ type: 'result', ok: false, failure: outcome.failure });
}

// The build child's entry: one job, one process, so a cancel or a crash takes only this build with it.
import { basename } from 'node:path';
import type { ImageBuilder } from '../../builder/image-builder.ts';
import { createMicBuilder } from '../../builder/mic/index.ts';
import { createNativeImageBuilder } from '../../builder/native-image-builder.ts';
import type { BuildOrder } from './child-protocol.ts';
import { startChild } from './child-runtime.ts';

function builderFor(order: BuildOrder): ImageBuilder {
  return order.builder === 'mic'
    ? createMicBuilder({ extraOptions: order.micOpts, timeoutMs: order.deadlineMs })
    : createNativeImageBuilder({
        deadlineMs: order.deadlineMs,
        gpgKeyDir: order.gpgKeyDir,
        sandboxIdBase: order.sandboxIdBase,
      });
}

const { order, signal, send } = await startChild();
const { job } = order;
const outcome = await builderFor(order).build({
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

// The VM image builds run in (`[worker] vm_image`), made by IMG's own builder from the shipped template: a raw
// disk with the build tools and the init that runs a worker's script. IMG's code is not in it (shared at run
// time), so it needs making again only when the tools or the init change.
import { readFile, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { BuildEvent } from '../../../builder/events.ts';
import { createNativeImageBuilder } from '../../../builder/native-image-builder.ts';
import type { Failure } from '../../../contract/failure.ts';
import { bundledTemplatesDir } from '../../../kickstart/templates.ts';

export const VM_TEMPLATE = join(bundledTemplatesDir, 'vm', 'build-vm.ks');

export interface VmImageRequest {
  /** Where the image goes; replaced only once the new one is whole. */
  output: string;
  cacheDir?: string;
  signal?: AbortSignal;
  onEvent?: (event: BuildEvent) => void;
}

export async function buildVmImage(
  request: VmImageRequest,
): Promise<{ ok: true } | { ok: false; failure: Failure }> {
  const name = basename(request.output).replace(/\.[^.]*$/, '') || 'base';
  // Beside the output, so the finished disk is renamed into place rather than copied (it is several GiB).
  const outputDir = join(dirname(request.output), `.${name}-vm-image-${process.pid}`);
  try {
    const outcome = await createNativeImageBuilder(
      request.cacheDir ? { cacheDir: request.cacheDir } : {},
    ).build({
      kickstart: await readFile(VM_TEMPLATE, 'utf8'),
      type: 'raw',
      arch: 'x86_64',
      name,
      outputDir,
      ...(request.signal && { signal: request.signal }),
      ...(request.onEvent && { onEvent: request.onEvent }),
    });
    if (!outcome.ok) return { ok: false, failure: outcome.failure };
    const disk = outcome.artifacts.find((artifact) => artifact.main);
    if (!disk) throw new Error('the VM image build made no disk');
    await rename(disk.path, request.output);
    return { ok: true };
  } finally {
    await rm(outputDir, { recursive: true, force: true });
  }
}

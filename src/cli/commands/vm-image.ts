import { mkdir } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { Command } from 'commander';
import { defaultCacheDir } from '../../builder/cache.ts';
import { CONFIG_KEYS } from '../../service/config/keys.ts';
import { EXIT } from '../exit-codes.ts';

export function registerVmImageCommand(program: Command): void {
  program
    .command('vm-image')
    .description('the VM image workers build in with [worker] use_kvm = yes')
    .command('build')
    .description('build the VM image from templates/vm/build-vm.ks with the native builder, on this machine')
    .option(
      '-o, --output <path>',
      'where the image goes ([worker] vm_image)',
      CONFIG_KEYS.worker.vm_image.default,
    )
    .option('--cache <dir>', 'package and base-root cache', defaultCacheDir)
    .action(async (flags: { output: string; cache: string }) => {
      const output = resolve(flags.output);
      await mkdir(dirname(output), { recursive: true });
      const [{ buildVmImage }, { formatEvent }] = await Promise.all([
        import('../../service/worker/vm/vm-image.ts'),
        import('../../builder/publish.ts'),
      ]);
      const abort = new AbortController();
      const stop = () => abort.abort(new Error('interrupted'));
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      const outcome = await buildVmImage({
        output,
        cacheDir: flags.cache,
        signal: abort.signal,
        onEvent: (event) => process.stdout.write(`${formatEvent(event)}\n`),
      });
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      if (outcome.ok) process.stdout.write(`${output}\n`);
      else {
        const { class: cls, step, message } = outcome.failure;
        process.stderr.write(`imger: the VM image build failed (${cls}, in ${step}): ${message}\n`);
      }
      process.exitCode = outcome.ok ? EXIT.ok : EXIT.invalid;
    });
}

import { readFile } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import type { Command } from 'commander';
import type { Firmware } from '../../builder/boot-test.ts';
import { defaultCacheDir } from '../../builder/cache.ts';
import type { BuildEvent } from '../../builder/events.ts';
import type { PackFormat } from '../../builder/image-types.ts';
import { EXIT, UserError } from '../exit-codes.ts';

interface BuildFlags {
  type: string;
  arch: string;
  outdir: string;
  name?: string;
  tokenmap?: string;
  cache: string;
  packTo?: PackFormat;
  backend: 'native' | 'mic';
  micOpts?: string;
  json?: boolean;
}

const PACK_FORMATS: readonly PackFormat[] = ['tar.zst', 'tar.gz', 'tar.bz2'];

export function registerBuildCommands(program: Command): void {
  program
    .command('build')
    .description('build an image from a kickstart on this machine, with no server')
    .argument('<kickstart>', 'the kickstart file')
    .requiredOption('-t, --type <type>', 'image type: fs, loop, raw, qcow2, vmdk, vdi, livecd, liveusb')
    .requiredOption('-a, --arch <arch>', 'architecture: x86_64, i686, aarch64, armv7hl (or mic’s names)')
    .requiredOption('-o, --outdir <dir>', 'where the image and its files go')
    .option('--name <name>', 'the image name (default: the kickstart’s file name)')
    .option('--tokenmap <T:V,...>', "@TOKEN@ values, as mic's --tokenmap")
    .option('--cache <dir>', 'package and base-root cache', defaultCacheDir)
    .option('--pack-to <format>', `fs tarball compression: ${PACK_FORMATS.join(', ')}`)
    .option('--backend <backend>', 'native, or mic where mic is installed', 'native')
    .option('--mic-opts <opts>', "extra mic options, ':'-separated as img.conf's mic_opts")
    .option('--json', 'print events and the outcome as JSON lines')
    .action(async (file: string, flags: BuildFlags) => {
      if (flags.packTo !== undefined && !PACK_FORMATS.includes(flags.packTo)) {
        throw new UserError(`--pack-to expects one of ${PACK_FORMATS.join(', ')}`, EXIT.usage);
      }
      if (flags.backend !== 'native' && flags.backend !== 'mic') {
        throw new UserError('--backend expects native or mic', EXIT.usage);
      }
      const path = resolve(file);
      const kickstart = await readFile(path, 'utf8').catch(() => {
        throw new UserError(`cannot read ${file}`, EXIT.failure);
      });
      // The builder is loaded by the commands that build, so that every other command starts without it.
      const [{ createMicBuilder, splitMicOpts }, { createNativeImageBuilder }, { formatEvent }] =
        await Promise.all([
          import('../../builder/mic/index.ts'),
          import('../../builder/native-image-builder.ts'),
          import('../../builder/publish.ts'),
        ]);
      const builder =
        flags.backend === 'mic'
          ? createMicBuilder({ extraOptions: splitMicOpts(flags.micOpts ?? '') })
          : createNativeImageBuilder({ cacheDir: flags.cache });
      const abort = new AbortController();
      const stop = () => abort.abort(new Error('interrupted'));
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      const print = (event: BuildEvent) =>
        process.stdout.write(`${flags.json ? JSON.stringify(event) : formatEvent(event)}\n`);
      const outcome = await builder.build({
        kickstart,
        type: flags.type,
        arch: flags.arch,
        name: flags.name ?? basename(file).replace(/\.ks$/, ''),
        outputDir: resolve(flags.outdir),
        includes: { file: basename(path), baseDir: dirname(path), includeRoots: [dirname(path)] },
        ...(flags.tokenmap !== undefined && { tokenmap: flags.tokenmap }),
        ...(flags.packTo !== undefined && { packTo: flags.packTo }),
        signal: abort.signal,
        onEvent: print,
      });
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      if (flags.json) {
        process.stdout.write(`${JSON.stringify({ type: 'outcome', ...outcome })}\n`);
      } else if (outcome.ok) {
        for (const a of outcome.artifacts) process.stdout.write(`${a.main ? '* ' : '  '}${a.path}\n`);
      } else {
        const { class: cls, step, message } = outcome.failure;
        process.stderr.write(`imger: build failed (${cls}, in ${step}): ${message}\n`);
      }
      process.exitCode = outcome.ok ? EXIT.ok : EXIT.invalid;
    });

  program
    .command('boot-test')
    .description('boot a disk image or a live ISO in qemu and wait for a login prompt')
    .argument('<image>', 'a raw, qcow2, vmdk or vdi disk, or a live ISO')
    .option('--firmware <firmware>', 'bios or uefi', 'bios')
    .option('--expect <regex>', 'text the serial console must also show')
    .option('--timeout <seconds>', 'give up after this long', '300')
    .action(async (image: string, flags: { firmware: string; expect?: string; timeout: string }) => {
      if (flags.firmware !== 'bios' && flags.firmware !== 'uefi') {
        throw new UserError('--firmware expects bios or uefi', EXIT.usage);
      }
      const timeoutS = Number(flags.timeout);
      if (!Number.isFinite(timeoutS) || timeoutS <= 0) {
        throw new UserError('--timeout expects a number of seconds', EXIT.usage);
      }
      let expect: RegExp | undefined;
      try {
        expect = flags.expect === undefined ? undefined : new RegExp(flags.expect);
      } catch {
        throw new UserError(`--expect is not a valid regular expression: ${flags.expect}`, EXIT.usage);
      }
      const { bootTest } = await import('../../builder/boot-test.ts');
      const result = await bootTest(resolve(image), {
        firmware: flags.firmware as Firmware,
        timeoutS,
        ...(expect && { expect }),
      });
      process.stdout.write(result.serialLog.endsWith('\n') ? result.serialLog : `${result.serialLog}\n`);
      process.stdout.write(
        result.pass
          ? `PASS in ${(result.ms / 1000).toFixed(1)} s\n`
          : `FAIL after ${(result.ms / 1000).toFixed(1)} s: ${result.reason}\n`,
      );
      process.exitCode = result.pass ? EXIT.ok : EXIT.invalid;
    });
}

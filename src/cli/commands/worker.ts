import type { Command } from 'commander';
import { ServiceError } from '../../service/errors.ts';
import { EXIT, UserError } from '../exit-codes.ts';
import { configFrom } from './service.ts';

function slotCount(raw: string): number {
  const slots = Number(raw);
  if (!Number.isInteger(slots) || slots < 1)
    throw new UserError(`--slots expects a whole number ≥ 1, got "${raw}"`, EXIT.usage);
  return slots;
}

export function registerWorkerCommand(program: Command): void {
  program
    .command('worker')
    .description('build jobs from the queues, on this machine, for the IMG servers sharing its database')
    .option(
      '-q, --queues <names>',
      'comma-separated queues to build (default: every queue that starts builds)',
    )
    .option('-s, --slots <n>', 'builds at a time (default: [worker] num_workers, at least 1)', slotCount)
    .option('-c, --config <file>', 'img.conf to read (default: $IMG_CONFIG or /etc/imger/img.conf)')
    .action(async (options: { queues?: string; slots?: number }, command: Command) => {
      const config = configFrom(command);
      const { runWorkerProcess } = await import('../../service/worker/index.ts');
      try {
        await runWorkerProcess(config, {
          queues: (options.queues ?? '')
            .split(',')
            .map((name) => name.trim())
            .filter((name) => name !== ''),
          slots: options.slots ?? Math.max(1, config.worker.num_workers),
        });
      } catch (error) {
        if (error instanceof ServiceError) throw new UserError(error.message, EXIT.usage);
        throw error;
      }
    });
}

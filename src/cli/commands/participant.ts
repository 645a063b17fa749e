import type { Command } from 'commander';
import { participantSettings } from '../../participant/settings.ts';
import { connect } from '../client/connect.ts';
import { EXIT, UserError } from '../exit-codes.ts';
import { configFrom } from './service.ts';

export function registerParticipantCommand(program: Command): void {
  program
    .command('participant')
    .description('the BOSS build_image participant: builds ruote workitems from AMQP through an IMG server')
    .option(
      '-c, --config <file>',
      'img.conf with the [boss] settings (default: $IMG_CONFIG or /etc/imger/img.conf)',
    )
    .option('--name <name>', 'participant name, the queue it consumes (default: [boss] participant)')
    .option('--server <url>', 'the IMG server (default: $IMG_SERVER, else the one `imger login` used)')
    .addHelpText(
      'after',
      '\nThe token is IMG_TOKEN, else the one `imger login` stored. Replies go to the default exchange with\n' +
        'routing key ruote_workitems. Stops on SIGINT or SIGTERM; workitems in progress go back to the queue.',
    )
    .action(async (flags: { name?: string; server?: string }, command: Command) => {
      const config = configFrom(command);
      if (config.boss.amqp_host === '')
        throw new UserError(
          '[boss] amqp_host is empty: the participant has no broker to consume',
          EXIT.usage,
        );
      const [{ default: pino }, { startParticipant }] = await Promise.all([
        import('pino'),
        import('../../participant/participant.ts'),
      ]);
      const participant = await startParticipant({
        ...participantSettings(config),
        ...(flags.name === undefined ? {} : { name: flags.name }),
        client: await connect(flags),
        log: pino({ level: process.env.IMG_LOG_LEVEL ?? 'info' }),
      });
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      await participant.stop();
    });
}

import { Command, CommanderError } from 'commander';
import { ConfigError } from '../service/config/index.ts';
import { registerBuildCommands } from './commands/build.ts';
import { registerClientCommands } from './commands/client.ts';
import { registerKickstartCommands } from './commands/ks.ts';
import { registerParticipantCommand } from './commands/participant.ts';
import { registerServiceCommands } from './commands/service.ts';
import { registerVmImageCommand } from './commands/vm-image.ts';
import { registerWorkerCommand } from './commands/worker.ts';
import { EXIT, UserError } from './exit-codes.ts';

const program = new Command()
  .name('imger')
  .description('IMG (Image Me Give): kickstart files in, bootable OS images out')
  .showHelpAfterError()
  .exitOverride();

registerKickstartCommands(program);
registerBuildCommands(program);
registerServiceCommands(program);
registerWorkerCommand(program);
registerVmImageCommand(program);
registerClientCommands(program);
registerParticipantCommand(program);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    // Help and version are "errors" to commander; they already printed what they had to.
    process.exitCode = error.exitCode === 0 ? EXIT.ok : EXIT.usage;
  } else if (error instanceof ConfigError) {
    // Settings found unusable once the service opens them (an LDAP CA file that cannot be read).
    process.stderr.write(`imger: ${error.message}\n`);
    process.exitCode = EXIT.usage;
  } else if (error instanceof UserError) {
    process.stderr.write(`imger: ${error.message}\n`);
    process.exitCode = error.exitCode;
  } else {
    process.stderr.write(
      `imger: internal error: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    process.exitCode = EXIT.failure;
  }
}

import { defineCommand } from '../command-spec.ts';
import { opt } from '../options.ts';

export const rootpw = defineCommand({
  name: 'rootpw',
  args: { min: 0, max: 1, describe: 'the password' },
  options: {
    iscrypted: opt.flag(),
    plaintext: opt.flag(),
    lock: opt.flag(),
    allow_ssh: opt.flag({ aliases: ['allow-ssh'] }),
  },
  exclusive: [['iscrypted', 'plaintext']],
  validate(command, check) {
    if (command.args.length === 0 && !command.options.lock) check.error('expects a password (or --lock)');
  },
});

export const auth = defineCommand({
  name: 'auth',
  aliases: ['authconfig'],
  options: {},
  ignored: 'dropped from pykickstart (use authselect); ignored',
});

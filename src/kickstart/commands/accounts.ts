import { defineCommand } from '../command-spec.ts';
import { opt } from '../options.ts';

/** How a password argument is read: pykickstart's rootpw, user and sshpw share them. */
const PASSWORD_OPTIONS = {
  iscrypted: opt.flag(),
  plaintext: opt.flag(),
  lock: opt.flag(),
} as const;

export const rootpw = defineCommand({
  name: 'rootpw',
  args: { min: 0, max: 1, describe: 'the password' },
  options: {
    ...PASSWORD_OPTIONS,
    allow_ssh: opt.flag({ aliases: ['allow-ssh'] }),
  },
  exclusive: [['iscrypted', 'plaintext']],
  validate(command, check) {
    if (command.args.length === 0 && !command.options.lock) check.error('expects a password (or --lock)');
  },
});

export const user = defineCommand({
  name: 'user',
  options: {
    name: opt.string({ required: true, describe: 'a user name' }),
    gecos: opt.string(),
    groups: opt.list(),
    homedir: opt.string({ describe: 'a home directory' }),
    ...PASSWORD_OPTIONS,
    password: opt.string(),
    shell: opt.string({ describe: 'a login shell' }),
    uid: opt.int({ min: 0 }),
    gid: opt.int({ min: 0 }),
  },
  multiple: { key: (c) => c.options.name, what: 'a user named' },
  exclusive: [['iscrypted', 'plaintext']],
});

export const group = defineCommand({
  name: 'group',
  options: {
    name: opt.string({ required: true, describe: 'a group name' }),
    gid: opt.int({ min: 0 }),
  },
  multiple: { key: (c) => c.options.name, what: 'a group named' },
});

/** A user may have several keys, and the same key twice is harmless, so every sshkey line is kept. */
export const sshkey = defineCommand({
  name: 'sshkey',
  args: { min: 1, max: 1, describe: 'the public key, quoted' },
  options: { username: opt.string({ required: true, describe: 'a user name' }) },
  multiple: {},
});

/** A login to the installer's own ssh server, not to the installed system. */
export const sshpw = defineCommand({
  name: 'sshpw',
  args: { min: 1, max: 1, describe: 'the password or key' },
  options: {
    username: opt.string({ required: true, describe: 'a user name' }),
    ...PASSWORD_OPTIONS,
    sshkey: opt.flag(),
  },
  multiple: { key: (c) => c.options.username, what: 'an installer login for' },
  exclusive: [['iscrypted', 'plaintext']],
});

/** Only `realm join DOMAIN` exists; its options are realmd's own. */
export const realm = defineCommand({
  name: 'realm',
  args: { min: 2, max: 2, describe: 'join and a domain' },
  options: {
    'no-password': opt.flag(),
    'one-time-password': opt.string(),
    'client-software': opt.string(),
    'server-software': opt.string(),
    'membership-software': opt.string(),
    'computer-ou': opt.string(),
  },
  validate(command, check) {
    const action = command.args[0];
    if (action !== undefined && action !== 'join')
      check.error(`only "realm join" is supported, got "${action}"`);
  },
});

/** pykickstart hands the whole line to authselect(8), options included. */
export const authselect = defineCommand({
  name: 'authselect',
  args: { min: 1, max: null, describe: 'authselect arguments' },
  options: { passthrough: opt.passthrough() },
});

import type { Check } from '../command-spec.ts';
import { defineCommand } from '../command-spec.ts';
import { opt } from '../options.ts';

/** How a password argument is read: pykickstart's rootpw, user and sshpw share them. */
const PASSWORD_OPTIONS = {
  iscrypted: opt.flag(),
  plaintext: opt.flag(),
  lock: opt.flag(),
} as const;

/** --iscrypted and --plaintext set one switch in pykickstart: the last one given wins. */
const CRYPTED_OR_PLAIN = [['iscrypted', 'plaintext']] as const;

export const rootpw = defineCommand({
  name: 'rootpw',
  args: { min: 0, max: 1, describe: 'the password' },
  options: {
    ...PASSWORD_OPTIONS,
    'allow-ssh': opt.flag(),
  },
  lastWins: CRYPTED_OR_PLAIN,
  validate(command, check) {
    // pykickstart asks for a password that is not empty.
    if (!command.args[0] && !command.options.lock) check.error('expects a password (or --lock)');
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
  lastWins: CRYPTED_OR_PLAIN,
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

/** A login to the installer's own ssh server, not to the installed system. The password may be several words. */
export const sshpw = defineCommand({
  name: 'sshpw',
  args: { min: 1, max: null, joined: true, describe: 'the password or key' },
  options: {
    username: opt.string({ required: true, describe: 'a user name' }),
    ...PASSWORD_OPTIONS,
    sshkey: opt.flag(),
  },
  multiple: { key: (c) => c.options.username, what: 'an installer login for' },
  lastWins: CRYPTED_OR_PLAIN,
});

/** realmd's options to `realm join`, as getopt spells them: a trailing `=` takes a value. */
const REALM_JOIN_OPTIONS = [
  'client-software=',
  'server-software=',
  'membership-software=',
  'one-time-password=',
  'no-password',
  'computer-ou=',
] as const;

/**
 * Only `realm join [OPTIONS] DOMAIN` exists. pykickstart reads the line with getopt, not argparse, and hands it
 * to realm(8): the options come before the one domain, a word after it is a second domain, and `#` is no comment.
 */
export const realm = defineCommand({
  name: 'realm',
  args: { min: 1, max: null, describe: 'join, realmd options and a domain' },
  options: { passthrough: opt.passthrough() },
  keepsComments: true,
  once: true,
  validate(command, check) {
    const [action, ...rest] = command.args;
    if (action === undefined) return;
    if (action !== 'join') {
      check.error(`only "realm join" is supported, got "${action}"`);
      return;
    }
    const domains = getoptOperands(rest, check);
    if (domains && domains.length !== 1) {
      check.error(
        `expects one domain after the options, got ${domains.length === 0 ? 'none' : domains.map((d) => `"${d}"`).join(' ')}`,
      );
    }
  },
});

/** Python's getopt.getopt with long options only: returns the words after the options, or null on an error. */
function getoptOperands(words: readonly string[], check: Check): string[] | null {
  let i = 0;
  while (i < words.length && words[i]!.startsWith('-') && words[i] !== '-') {
    const word = words[i++]!;
    if (word === '--') break;
    if (!word.startsWith('--')) {
      check.error(`unknown option "${word}"`);
      return null;
    }
    const eq = word.indexOf('=');
    const spelled = eq < 0 ? word.slice(2) : word.slice(2, eq);
    const matches = REALM_JOIN_OPTIONS.filter((o) => o.startsWith(spelled));
    const exact = matches.find((o) => o === spelled || o === `${spelled}=`);
    if (matches.length === 0) {
      check.error(`unknown option "--${spelled}"`);
      return null;
    }
    if (!exact && matches.length > 1) {
      check.error(
        `ambiguous option "--${spelled}" could be ${matches.map((o) => `--${o.replace('=', '')}`).join(', ')}`,
      );
      return null;
    }
    const option = exact ?? matches[0]!;
    const name = `--${option.replace('=', '')}`;
    if (option.endsWith('=')) {
      if (eq < 0 && i >= words.length) {
        check.error(`${name} expects a value`);
        return null;
      }
      if (eq < 0) i++;
    } else if (eq >= 0) {
      check.error(`${name} takes no value, got "${word.slice(eq + 1)}"`);
      return null;
    }
  }
  return words.slice(i);
}

/** pykickstart hands the whole line to authselect(8), options included; with none, authselect is not run. */
export const authselect = defineCommand({
  name: 'authselect',
  args: { min: 0, max: null, describe: 'authselect arguments' },
  options: { passthrough: opt.passthrough() },
  keepsComments: true,
});

/** How the installer itself behaves: its interface, what it does when done, logging, remote access, rescue. */
import { defineCommand } from '../command-spec.ts';
import { given, type OptionsSpec, opt } from '../options.ts';

/** text, graphical and cmdline are one setting in pykickstart: the last one given wins. */
function displayMode<const O extends OptionsSpec>(name: string, options: O) {
  return defineCommand({ name, options, slot: 'display mode' });
}

/** A mode that may stop to ask has a switch to never ask; cmdline never asks anyway. */
const INTERACTIVE_OPTIONS = { 'non-interactive': opt.flag() } as const;

export const text = displayMode('text', INTERACTIVE_OPTIONS);
export const graphical = displayMode('graphical', INTERACTIVE_OPTIONS);
export const cmdline = displayMode('cmdline', {});

/** reboot, poweroff, shutdown and halt are one setting in pykickstart: the last one given wins. */
function endAction(name: string) {
  return defineCommand({
    name,
    options: { eject: opt.flag(), kexec: opt.flag() },
    slot: 'end of installation',
  });
}

export const reboot = endAction('reboot');
export const poweroff = endAction('poweroff');
export const shutdown = endAction('shutdown');
export const halt = endAction('halt');

export const eula = defineCommand({
  name: 'eula',
  options: { agreed: opt.flag({ required: true, aliases: ['agree', 'accepted', 'accept'] }) },
});

export const logging = defineCommand({
  name: 'logging',
  options: {
    host: opt.string({ describe: 'a syslog host' }),
    port: opt.string({ describe: 'a port' }),
    level: opt.string({ removed: 'the installer has no log level to set any more' }),
  },
  validate(command, check) {
    if (given(command.options.port) && !given(command.options.host)) check.error('--port needs --host');
  },
});

export const rescue = defineCommand({
  name: 'rescue',
  options: { nomount: opt.flag(), romount: opt.flag() },
  exclusive: [['nomount', 'romount']],
});

export const mediacheck = defineCommand({ name: 'mediacheck', options: {} });

/** Remote access to the installer's graphical interface over RDP; the password is asked when not given. */
export const rdp = defineCommand({
  name: 'rdp',
  options: {
    username: opt.string({ describe: 'a user name' }),
    password: opt.string(),
  },
});

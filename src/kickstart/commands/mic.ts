/** Commands only mic reads (MeeGo, Tizen and Sailfish kickstarts); mic's options on pykickstart's commands sit with them. */
import { defineCommand } from '../command-spec.ts';
import { opt } from '../options.ts';

export const desktop = defineCommand({
  name: 'desktop',
  origin: 'mic',
  options: {
    defaultdesktop: opt.string({ describe: 'a desktop such as GNOME' }),
    autologinuser: opt.string({ describe: 'a user name' }),
    defaultdm: opt.string({ describe: 'a display manager' }),
    session: opt.string({ describe: 'a session command' }),
  },
});

/** Jobs (bootloader…) that the target's installer-framework plugins do instead of mic. */
export const installerfw_plugins = defineCommand({
  name: 'installerfw_plugins',
  origin: 'mic',
  args: { min: 1, max: 1, describe: 'a comma-separated list of jobs' },
  options: {},
});

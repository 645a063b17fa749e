import type { CommandSpec } from '../command-spec.ts';
import { authselect, group, realm, rootpw, sshkey, sshpw, user } from './accounts.ts';
import { bootloader, zipl } from './boot.ts';
import { driverdisk, fcoe, iscsi, iscsiname, zfcp } from './devices.ts';
import {
  cmdline,
  eula,
  graphical,
  halt,
  logging,
  mediacheck,
  poweroff,
  rdp,
  reboot,
  rescue,
  shutdown,
  text,
} from './installer.ts';
import {
  auth,
  autostep,
  device,
  deviceprobe,
  dmraid,
  install,
  interactive,
  key,
  langsupport,
  lilo,
  lilocheck,
  monitor,
  mouse,
  multipath,
  nvdimm,
  upgrade,
  vnc,
} from './legacy.ts';
import { keyboard, lang, timesource, timezone } from './locale.ts';
import { desktop, installerfw_plugins } from './mic.ts';
import { firewall, network } from './network.ts';
import {
  bootc,
  cdrom,
  harddrive,
  hmc,
  liveimg,
  module,
  nfs,
  ostreecontainer,
  ostreesetup,
  repo,
  updates,
  url,
} from './packaging-sources.ts';
import {
  autopart,
  btrfs,
  clearpart,
  ignoredisk,
  logvol,
  mount,
  part,
  raid,
  reqpart,
  snapshot,
  volgroup,
  zerombr,
} from './storage.ts';
import { firstboot, selinux, services, skipx, xconfig } from './system.ts';

/**
 * Every command IMG reads; the order here is the order `format` writes them in, close to pykickstart's: where
 * the software comes from, locale, network, accounts, boot loader, storage (devices before what is built on
 * them), services and first boot, display, and what to do at the end. The dropped commands are never kept.
 */
export const COMMANDS = {
  url,
  cdrom,
  harddrive,
  nfs,
  hmc,
  liveimg,
  ostreesetup,
  ostreecontainer,
  bootc,
  updates,
  repo,
  module,
  lang,
  keyboard,
  timezone,
  timesource,
  network,
  firewall,
  rootpw,
  user,
  group,
  sshkey,
  sshpw,
  realm,
  authselect,
  selinux,
  bootloader,
  zipl,
  iscsiname,
  iscsi,
  fcoe,
  zfcp,
  driverdisk,
  zerombr,
  ignoredisk,
  clearpart,
  reqpart,
  autopart,
  part,
  raid,
  volgroup,
  logvol,
  btrfs,
  mount,
  snapshot,
  services,
  firstboot,
  eula,
  xconfig,
  skipx,
  desktop,
  installerfw_plugins,
  logging,
  mediacheck,
  rdp,
  rescue,
  text,
  graphical,
  cmdline,
  reboot,
  poweroff,
  shutdown,
  halt,
  auth,
  install,
  upgrade,
  interactive,
  autostep,
  key,
  lilo,
  lilocheck,
  langsupport,
  mouse,
  monitor,
  device,
  deviceprobe,
  dmraid,
  multipath,
  nvdimm,
  vnc,
} as const;

export type CommandName = keyof typeof COMMANDS;

const byName = new Map<string, CommandSpec>();
for (const spec of Object.values(COMMANDS) as CommandSpec[]) {
  byName.set(spec.name, spec);
  for (const alias of spec.aliases ?? []) byName.set(alias, spec);
}

export function findCommand(word: string): CommandSpec | undefined {
  return byName.get(word);
}

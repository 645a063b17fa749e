/**
 * Commands that pykickstart dropped but that RHEL-era, MeeGo and other old kickstarts still carry. Refusing
 * them would make those files unreadable for no gain: they are accepted, said to be ignored, and not kept.
 */
import { defineCommand } from '../command-spec.ts';

function dropped(name: string, why: string, aliases?: readonly string[]) {
  return defineCommand({ name, ...(aliases && { aliases }), options: {}, ignored: `${why}; ignored` });
}

const AUTOMATIC_HARDWARE = 'hardware is detected automatically now';

export const auth = dropped('auth', 'dropped from pykickstart (use authselect)', ['authconfig']);
export const install = dropped('install', 'installing is the only mode now');
export const upgrade = dropped('upgrade', 'upgrades by kickstart were dropped');
export const interactive = dropped('interactive', 'dropped from pykickstart');
export const autostep = dropped('autostep', 'dropped from pykickstart');
export const key = dropped('key', 'the installation number is no longer used');
export const lilo = dropped('lilo', 'LILO is gone (use bootloader)');
export const lilocheck = dropped('lilocheck', 'LILO is gone');
export const langsupport = dropped('langsupport', 'dropped from pykickstart (use lang --addsupport)');
export const mouse = dropped('mouse', AUTOMATIC_HARDWARE);
export const monitor = dropped('monitor', AUTOMATIC_HARDWARE);
export const device = dropped('device', 'kernel modules are loaded automatically now');
export const deviceprobe = dropped('deviceprobe', AUTOMATIC_HARDWARE);
export const dmraid = dropped('dmraid', 'firmware RAID sets are found automatically now');
export const multipath = dropped('multipath', 'multipath devices are found automatically now');
export const nvdimm = dropped('nvdimm', 'dropped from pykickstart');
export const vnc = dropped('vnc', 'the installer offers RDP instead (use rdp)');

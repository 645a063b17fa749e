// What every qemu of a build VM shares: how a value goes into qemu's `key=value,…` options, the guest's init,
// and the way qemu is started, so that it dies with its worker (a probe's as much as a build's).
import { type RunOptions, type RunResult, run } from '../../../builder/exec.ts';

/** The image's init (templates/vm/build-vm.ks): mounts the job's share and runs its script, or powers off. */
export const GUEST_INIT = '/usr/sbin/img-vm-init';

/** A value inside one of qemu's `key=value,…` options: a comma is written twice, or it would start a new key. */
export function qemuValue(value: string): string {
  return value.replaceAll(',', ',,');
}

/** qemu-system-x86_64 under `setpriv --pdeathsig KILL`: a worker killed with -9 takes it along. */
export function runQemu(args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  return run('setpriv', ['--pdeathsig', 'KILL', '--', 'qemu-system-x86_64', ...args], options);
}

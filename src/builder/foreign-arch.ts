// Running a foreign architecture's binaries (maintainer scripts, %post) through qemu-user: binfmt_misc must
// be mounted and the interpreter registered, which a fresh machine without systemd has not done.
import { exists } from './paths.ts';
import type { StepContext } from './runner.ts';

const binfmtDir = '/proc/sys/fs/binfmt_misc';

export async function enableForeignArch(ctx: StepContext, qemuUser: string): Promise<void> {
  if (!(await exists(`${binfmtDir}/register`))) {
    ctx.log('bootstrap: mounting binfmt_misc');
    await ctx.run('mount', ['-t', 'binfmt_misc', 'binfmt_misc', binfmtDir]);
  }
  if (!(await exists(`${binfmtDir}/${qemuUser}`))) {
    ctx.log(`registering ${qemuUser} with binfmt_misc`);
    await ctx.run('update-binfmts', ['--enable', qemuUser]);
  }
}

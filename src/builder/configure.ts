// Applies the recipe's system settings to the image root: files are written directly, and what needs the
// image's own tools (useradd, chpasswd, systemctl, locale-gen) runs inside it, in the sandbox.
import { chmod, mkdir, readFile, symlink, unlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { CommandFailed } from './exec.ts';
import { BuildFailure } from './failures.ts';
import { type Layout, renderFstab } from './layout.ts';
import { exists } from './paths.ts';
import type { ImageRecipe, Password } from './recipe.ts';
import type { StepContext } from './runner.ts';
import { inRootArgs } from './sandbox.ts';

/** Runs a command inside the image root, without network. */
export function inRoot(
  ctx: StepContext,
  root: string,
  command: readonly string[],
  input?: string,
): ReturnType<StepContext['run']> {
  return ctx.run(
    'bwrap',
    inRootArgs(root, command, { network: false, env: { HOME: '/root', LANG: 'C.UTF-8' } }),
    {
      ...(input === undefined ? {} : { input }),
    },
  );
}

/** A failing configuration command means the kickstart asked for something the image cannot do. */
async function asKickstartError<T>(what: string, action: () => Promise<T>): Promise<T> {
  try {
    return await action();
  } catch (error) {
    if (!(error instanceof CommandFailed) || error.reason !== 'exit') throw error;
    const detail = (error.stderr.trim() || error.stdout.trim()).split('\n')[0];
    throw new BuildFailure('kickstart-error', 'configure', `${what}: ${detail}`);
  }
}

async function write(root: string, path: string, text: string, mode?: number): Promise<void> {
  const target = join(root, path);
  await mkdir(dirname(target), { recursive: true });
  await writeFile(target, text);
  if (mode !== undefined) await chmod(target, mode);
}

async function setPassword(ctx: StepContext, root: string, user: string, password: Password): Promise<void> {
  switch (password.kind) {
    case 'plain':
      await inRoot(ctx, root, ['chpasswd'], `${user}:${password.value}\n`);
      return;
    case 'crypted':
      await inRoot(ctx, root, ['chpasswd', '-e'], `${user}:${password.value}\n`);
      return;
    case 'locked':
      await inRoot(ctx, root, ['usermod', '-L', user]);
      return;
  }
}

async function existingNames(root: string, file: 'group' | 'passwd'): Promise<Set<string>> {
  const text = await readFile(join(root, 'etc', file), 'utf8');
  return new Set(text.split('\n').map((line) => line.split(':')[0]!));
}

async function configureAccounts(ctx: StepContext, root: string, recipe: ImageRecipe): Promise<void> {
  const groups = await existingNames(root, 'group');
  const addGroup = async (name: string, gid?: number) => {
    if (groups.has(name)) return;
    await asKickstartError(`group ${name}`, () =>
      inRoot(ctx, root, ['groupadd', ...(gid === undefined ? [] : ['-g', String(gid)]), name]),
    );
    groups.add(name);
  };
  for (const group of recipe.groups) await addGroup(group.name, group.gid);
  const users = await existingNames(root, 'passwd');
  for (const user of recipe.users) {
    for (const group of user.groups) {
      if (!groups.has(group)) ctx.log(`creating group ${group}, which user ${user.name} is to be in`);
      await addGroup(group);
    }
    if (!users.has(user.name)) {
      const args = ['useradd', '-m', '-s', user.shell ?? '/bin/bash'];
      if (user.homedir) args.push('-d', user.homedir);
      if (user.uid !== undefined) args.push('-u', String(user.uid));
      if (user.groups.length > 0) args.push('-G', user.groups.join(','));
      await asKickstartError(`user ${user.name}`, () => inRoot(ctx, root, [...args, user.name]));
    }
    await setPassword(ctx, root, user.name, user.password ?? { kind: 'locked' });
  }
  await setPassword(ctx, root, 'root', recipe.rootPassword);
  for (const { user, key } of recipe.sshKeys) {
    const home =
      user === 'root' ? '/root' : (recipe.users.find((u) => u.name === user)?.homedir ?? `/home/${user}`);
    await asKickstartError(`sshkey for ${user}`, async () => {
      await inRoot(ctx, root, ['install', '-d', '-m', '700', '-o', user, '-g', user, `${home}/.ssh`]);
      await inRoot(
        ctx,
        root,
        [
          'sh',
          '-c',
          'cat >> "$1" && chown "$2:$2" "$1" && chmod 600 "$1"',
          'sh',
          `${home}/.ssh/authorized_keys`,
          user,
        ],
        `${key}\n`,
      );
    });
  }
}

async function configureLocalisation(ctx: StepContext, root: string, recipe: ImageRecipe): Promise<void> {
  await write(root, 'etc/default/locale', `LANG=${recipe.locale}\n`);
  if (!/^(C|POSIX)(\.|$)/.test(recipe.locale)) {
    const charset = recipe.locale.split('.')[1] ?? 'UTF-8';
    await write(root, 'etc/locale.gen', `${recipe.locale} ${charset}\n`);
    await asKickstartError(`lang ${recipe.locale}`, () => inRoot(ctx, root, ['locale-gen']));
  }
  await write(
    root,
    'etc/default/keyboard',
    `XKBMODEL="pc105"\nXKBLAYOUT="${recipe.keymap}"\nXKBVARIANT=""\nXKBOPTIONS=""\nBACKSPACE="guess"\n`,
  );
  await write(root, 'etc/vconsole.conf', `KEYMAP=${recipe.keymap}\n`);
  const zone = recipe.timezone === 'Etc/UTC' ? 'UTC' : recipe.timezone;
  const zoneFile = `/usr/share/zoneinfo/${zone}`;
  if (zone !== 'UTC' && !(await exists(join(root, zoneFile)))) {
    throw new BuildFailure('kickstart-error', 'configure', `timezone ${recipe.timezone} is not in tzdata`);
  }
  await unlink(join(root, 'etc/localtime')).catch(() => {});
  await symlink(zone === 'UTC' ? '/usr/share/zoneinfo/Etc/UTC' : zoneFile, join(root, 'etc/localtime'));
  await write(root, 'etc/timezone', `${zone}\n`);
  await write(root, 'etc/adjtime', `0.0 0 0.0\n0\n${recipe.utc ? 'UTC' : 'LOCAL'}\n`);
}

async function systemctl(ctx: StepContext, root: string, verb: 'enable' | 'disable', unit: string) {
  await asKickstartError(`services --${verb}d ${unit}`, () => inRoot(ctx, root, ['systemctl', verb, unit]));
}

async function configureServices(ctx: StepContext, root: string, recipe: ImageRecipe): Promise<void> {
  const hasSystemd = await exists(join(root, 'usr/bin/systemctl'));
  if (!hasSystemd) {
    if (recipe.dhcp || recipe.services.enabled.length + recipe.services.disabled.length > 0) {
      ctx.log('configure: no systemd in the image; network and services settings are not applied');
    }
    return;
  }
  if (recipe.dhcp) {
    await write(
      root,
      'etc/systemd/network/20-wired.network',
      '[Match]\nName=en* eth*\n\n[Network]\nDHCP=yes\n',
    );
    await systemctl(ctx, root, 'enable', 'systemd-networkd.service');
  }
  const serial = /(?:^|\s)console=(ttyS\d+)/.exec(recipe.bootloader.append)?.[1];
  if (serial) await systemctl(ctx, root, 'enable', `serial-getty@${serial}.service`);
  if (recipe.startX) await inRoot(ctx, root, ['systemctl', 'set-default', 'graphical.target']);
  for (const unit of recipe.services.enabled) await systemctl(ctx, root, 'enable', unit);
  for (const unit of recipe.services.disabled) await systemctl(ctx, root, 'disable', unit);
}

/** Where each display manager Debian ships reads an autologin user from. */
const autologinConfigs = [
  {
    binary: 'usr/sbin/lightdm',
    file: 'etc/lightdm/lightdm.conf.d/50-imger-autologin.conf',
    text: (u: string) => `[Seat:*]\nautologin-user=${u}\n`,
  },
  {
    binary: 'usr/sbin/gdm3',
    file: 'etc/gdm3/daemon.conf',
    text: (u: string) => `[daemon]\nAutomaticLoginEnable=true\nAutomaticLogin=${u}\n`,
  },
  {
    binary: 'usr/bin/sddm',
    file: 'etc/sddm.conf.d/50-imger-autologin.conf',
    text: (u: string) => `[Autologin]\nUser=${u}\n`,
  },
];

async function configureAutologin(ctx: StepContext, root: string, user: string): Promise<void> {
  let applied = false;
  for (const manager of autologinConfigs) {
    if (!(await exists(join(root, manager.binary)))) continue;
    await write(root, manager.file, manager.text(user));
    applied = true;
  }
  if (!applied) ctx.log(`no display manager in the image; desktop --autologinuser=${user} not applied`);
}

export async function configureRoot(
  ctx: StepContext,
  root: string,
  recipe: ImageRecipe,
  layout: Layout | undefined,
  rootOnlyFstab: boolean,
): Promise<void> {
  await write(root, 'etc/hostname', `${recipe.hostname}\n`);
  await write(
    root,
    'etc/hosts',
    `127.0.0.1 localhost\n127.0.1.1 ${recipe.hostname}\n::1 localhost ip6-localhost ip6-loopback\n`,
  );
  await configureLocalisation(ctx, root, recipe);
  await configureAccounts(ctx, root, recipe);
  await configureServices(ctx, root, recipe);
  if (recipe.autologinUser) await configureAutologin(ctx, root, recipe.autologinUser);
  await write(
    root,
    'etc/fstab',
    layout
      ? renderFstab(layout, rootOnlyFstab)
      : '# no filesystems: mounted by the system that runs the image\n',
  );
}

// Applies the recipe's system settings to the image root: files written and the image's own tools
// (useradd, chpasswd, systemctl, locale-gen) run, all inside the image, in the sandbox.
import { CommandFailed } from './command-failed.ts';
import { BuildFailure } from './failures.ts';
import { type Layout, renderFstab } from './layout.ts';
import { type NetworkManagerKind, networkFiles } from './network-files.ts';
import type { FirewallSettings, ImageRecipe, Password } from './recipe.ts';
import { passwordSetting, type Reproducibility, reproducibleEnv } from './reproducible.ts';
import { installLangsFile, installLangsMacro } from './rpm-root.ts';
import type { StepContext } from './runner.ts';
import { capabilities, inImage, type SandboxPlaces } from './sandbox.ts';

/**
 * What configuration does to the image: run its own programs, write files, ask what exists. Every one of
 * them happens inside the image (sandboxedImage), where a symlink the packages planted (etc -> /etc) resolves
 * inside the image too, never on the build host.
 */
export interface ImageAccess {
  run(command: readonly string[], input?: string): Promise<{ stdout: string }>;
  /** Replaces each file (a symlink in its place is removed, not followed) and makes missing folders. */
  write(files: readonly ImageFile[]): Promise<void>;
  /** The given absolute paths that exist in the image. */
  existing(paths: readonly string[]): Promise<Set<string>>;
  /** A text file of the image; undefined where there is none. */
  read(path: string): Promise<string | undefined>;
}

export type ImageFile = { path: string; text: string; mode?: number } | { path: string; symlinkTo: string };

/** Writes files given as arguments (never as script text): `f PATH MODE TEXT` or `l PATH TARGET`. */
const fileWriter = `set -e
while [ $# -gt 0 ]; do
  mkdir -p "$(dirname "$2")"
  rm -f "$2"
  case $1 in
    f) printf %s "$4" > "$2"; chmod "$3" "$2"; shift 4 ;;
    l) ln -s "$3" "$2"; shift 3 ;;
    *) exit 2 ;;
  esac
done`;

/** ImageAccess through the sandbox, with the image root as / and no network. */
export function sandboxedImage(
  ctx: StepContext,
  places: SandboxPlaces,
  repro?: Reproducibility,
): ImageAccess {
  const inRoot = (command: readonly string[], input?: string) =>
    inImage(ctx, places, command, {
      caps: capabilities.imageAdmin,
      // shadow's tools date a password change by SOURCE_DATE_EPOCH (shadow's gettime).
      env: { HOME: '/root', LANG: 'C.UTF-8', ...reproducibleEnv(repro) },
      onLine: () => {},
      ...(input === undefined ? {} : { input }),
    });
  return {
    run: inRoot,
    async write(files) {
      const args = files.flatMap((file) =>
        'symlinkTo' in file
          ? ['l', file.path, file.symlinkTo]
          : ['f', file.path, (file.mode ?? 0o644).toString(8), file.text],
      );
      await inRoot(['sh', '-c', fileWriter, 'sh', ...args]);
    },
    async existing(paths) {
      const script = 'for p; do if [ -e "$p" ]; then printf "%s\\n" "$p"; fi; done';
      const { stdout } = await inRoot(['sh', '-c', script, 'sh', ...paths]);
      return new Set(stdout.split('\n').filter((path) => paths.includes(path)));
    },
    async read(path) {
      // The shell's own read, not cat: a minimal rpm root may have no cat. A leading "+" tells an empty file
      // from none. For the text files it is for: every line ends in a newline, NUL bytes are dropped.
      const { stdout } = await inRoot([
        'sh',
        '-c',
        '[ -f "$1" ] || exit 0; printf +; while IFS= read -r line || [ -n "$line" ]; do printf "%s\\n" "$line"; done < "$1"',
        'sh',
        path,
      ]);
      return stdout.startsWith('+') ? stdout.slice(1) : undefined;
    },
  };
}

/** The names in the image's /etc/group or /etc/passwd (none without the file: no `setup` package). */
async function accountNames(image: ImageAccess, file: 'group' | 'passwd'): Promise<Set<string>> {
  const text = (await image.read(`/etc/${file}`)) ?? '';
  return new Set(text.split('\n').map((line) => line.split(':')[0]!));
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

/**
 * Hashes a password in the image (its own libcrypt, through perl-base, which every Debian root has) with a salt
 * derived from the build's seed, so the same inputs give the same /etc/shadow. An image without perl (an rpm
 * root: Fedora's minimal set has none) prints nothing, and chpasswd salts it at random.
 */
const hashWithSetting = 'my $p = <STDIN>; chomp $p; my $h = crypt($p, $ARGV[0]); print $h if defined $h';
const hashIfPerl = 'command -v perl >/dev/null || exit 0; exec perl -e "$1" "$2"';

async function setPassword(
  image: ImageAccess,
  user: string,
  password: Password,
  seed: string | undefined,
): Promise<void> {
  switch (password.kind) {
    case 'plain': {
      const setting = seed ? passwordSetting(seed, user) : undefined;
      const hashed = setting
        ? (await image.run(['sh', '-c', hashIfPerl, 'sh', hashWithSetting, setting], `${password.value}\n`))
            .stdout
        : '';
      if (setting && hashed.startsWith(`${setting}$`)) {
        await image.run(['chpasswd', '-e'], `${user}:${hashed}\n`);
      } else {
        await image.run(['chpasswd'], `${user}:${password.value}\n`);
      }
      return;
    }
    case 'crypted':
      await image.run(['chpasswd', '-e'], `${user}:${password.value}\n`);
      return;
    case 'locked':
      // A root with no /etc/shadow (a minimal rpm set without `setup`) has no password to lock.
      await image.run(['sh', '-c', '[ -e /etc/shadow ] || exit 0; exec usermod -L "$1"', 'sh', user]);
      return;
  }
}

async function configureAccounts(
  ctx: StepContext,
  image: ImageAccess,
  recipe: ImageRecipe,
  seed: string | undefined,
): Promise<void> {
  const groups = await accountNames(image, 'group');
  const addGroup = async (name: string, gid?: number) => {
    if (groups.has(name)) return;
    await asKickstartError(`group ${name}`, () =>
      image.run(['groupadd', ...(gid === undefined ? [] : ['-g', String(gid)]), name]),
    );
    groups.add(name);
  };
  for (const group of recipe.groups) await addGroup(group.name, group.gid);
  const users = await accountNames(image, 'passwd');
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
      await asKickstartError(`user ${user.name}`, () => image.run([...args, user.name]));
    }
    await asKickstartError(`the password of user ${user.name}`, () =>
      setPassword(image, user.name, user.password ?? { kind: 'locked' }, seed),
    );
  }
  await asKickstartError('the root password', () => setPassword(image, 'root', recipe.rootPassword, seed));
  for (const { user, key } of recipe.sshKeys) {
    const home =
      user === 'root' ? '/root' : (recipe.users.find((u) => u.name === user)?.homedir ?? `/home/${user}`);
    await asKickstartError(`sshkey for ${user}`, async () => {
      await image.run(['install', '-d', '-m', '700', '-o', user, '-g', user, `${home}/.ssh`]);
      await image.run(
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

/**
 * Which system's conventions the image follows: Debian's (/etc/default/*, locale-gen, systemd-networkd) or
 * those of the rpm distributions Anaconda installs (/etc/locale.conf, langpacks, NetworkManager).
 */
export type ImageFamily = 'debian' | 'rpm';

function localisationFiles(recipe: ImageRecipe, zone: string, family: ImageFamily): ImageFile[] {
  const common: ImageFile[] = [
    { path: '/etc/vconsole.conf', text: `KEYMAP=${recipe.keymap}\n` },
    { path: '/etc/localtime', symlinkTo: zoneFile(zone) },
    { path: '/etc/adjtime', text: `0.0 0 0.0\n0\n${recipe.utc ? 'UTC' : 'LOCAL'}\n` },
  ];
  if (family === 'rpm') return [{ path: '/etc/locale.conf', text: `LANG=${recipe.locale}\n` }, ...common];
  const files: ImageFile[] = [{ path: '/etc/default/locale', text: `LANG=${recipe.locale}\n` }];
  if (needsLocaleGen(recipe)) {
    const charset = recipe.locale.split('.')[1] ?? 'UTF-8';
    files.push({ path: '/etc/locale.gen', text: `${recipe.locale} ${charset}\n` });
  }
  files.push(
    {
      path: '/etc/default/keyboard',
      text: `XKBMODEL="pc105"\nXKBLAYOUT="${recipe.keymap}"\nXKBVARIANT=""\nXKBOPTIONS=""\nBACKSPACE="guess"\n`,
    },
    ...common,
    { path: '/etc/timezone', text: `${zone}\n` },
  );
  return files;
}

function needsLocaleGen(recipe: ImageRecipe): boolean {
  return !/^(C|POSIX)(\.|$)/.test(recipe.locale);
}

function zoneFile(zone: string): string {
  return zone === 'UTC' ? '/usr/share/zoneinfo/Etc/UTC' : `/usr/share/zoneinfo/${zone}`;
}

/**
 * One systemctl for all the units (it reads every unit file each time it starts); when that fails, one at a
 * time, so the failure names its unit.
 */
async function systemctl(image: ImageAccess, verb: 'enable' | 'disable', units: readonly string[]) {
  if (units.length === 0) return;
  try {
    await image.run(['systemctl', verb, ...units]);
  } catch (error) {
    if (units.length > 1) for (const unit of units) await systemctl(image, verb, [unit]);
    return asKickstartError(`services --${verb}d ${units.join(',')}`, () => Promise.reject(error));
  }
}

const systemctlPath = '/usr/bin/systemctl';
/** On an rpm system NetworkManager brings every wired interface up with DHCP by itself. */
const networkManagerPath = '/usr/sbin/NetworkManager';
/** systemd-resolved, which reads networkd's DNS=, where Debian (unmerged /usr) and rpm systems keep it. */
const resolvedPaths = ['/lib/systemd/systemd-resolved', '/usr/lib/systemd/systemd-resolved'];

function applyServices(ctx: StepContext, recipe: ImageRecipe, hasSystemd: boolean): boolean {
  if (hasSystemd) return true;
  const network = recipe.dhcp || recipe.staticNetworks.length > 0;
  if (network || recipe.services.enabled.length + recipe.services.disabled.length > 0) {
    ctx.log('configure: no systemd in the image; network and services settings are not applied');
  }
  return false;
}

/** The kickstart's services that no unit file stands for yet: a `%post` may still make them. */
export interface PendingServices {
  enabled: string[];
  disabled: string[];
}

/** Where systemctl looks for unit files, in an image whose /lib may or may not be merged into /usr. */
const unitFolders = [
  '/etc/systemd/system',
  '/run/systemd/system',
  '/usr/local/lib/systemd/system',
  '/usr/lib/systemd/system',
  '/lib/systemd/system',
];

/** The files that make a unit name exist: `sshd` is `sshd.service`, `getty@tty2.service` its template's too. */
function unitFiles(name: string): string[] {
  const unit = /\.(service|socket|target|timer|path|mount|automount|swap|slice|scope|device)$/.test(name)
    ? name
    : `${name}.service`;
  const template = unit.replace(/@[^.]+\./, '@.');
  const names = template === unit ? [unit] : [unit, template];
  return unitFolders.flatMap((folder) => names.map((file) => `${folder}/${file}`));
}

/** Splits names into those a unit file (or alias link) stands for in the image and those none does. */
async function byPresence(image: ImageAccess, lists: { enabled: string[]; disabled: string[] }) {
  const names = [...lists.enabled, ...lists.disabled];
  const found = names.length > 0 ? await image.existing(names.flatMap(unitFiles)) : new Set<string>();
  const split = (list: string[]) => {
    const present = list.filter((name) => unitFiles(name).some((file) => found.has(file)));
    return { present, missing: list.filter((name) => !present.includes(name)) };
  };
  return { enabled: split(lists.enabled), disabled: split(lists.disabled) };
}

async function applyServiceLists(
  image: ImageAccess,
  recipe: ImageRecipe,
  alsoEnabled: string[] = [],
): Promise<PendingServices> {
  const { enabled, disabled } = await byPresence(image, recipe.services);
  await systemctl(image, 'enable', [...alsoEnabled, ...enabled.present]);
  await systemctl(image, 'disable', disabled.present);
  return { enabled: enabled.missing, disabled: disabled.missing };
}

async function configureServices(
  image: ImageAccess,
  recipe: ImageRecipe,
  networkd: boolean,
): Promise<PendingServices> {
  if (recipe.startX) await image.run(['systemctl', 'set-default', 'graphical.target']);
  const serial = /(?:^|\s)console=(ttyS\d+)/.exec(recipe.bootloader.append)?.[1];
  return applyServiceLists(image, recipe, [
    ...(networkd ? ['systemd-networkd.service'] : []),
    ...(serial ? [`serial-getty@${serial}.service`] : []),
  ]);
}

/**
 * After `%post`, as mic and Anaconda allow: the kickstart's services that a script made are enabled (or disabled)
 * now; those that never came to exist are a warning naming the line, not a failed build.
 */
export async function servicesMadeByScripts(
  ctx: StepContext,
  image: ImageAccess,
  recipe: ImageRecipe,
  pending: PendingServices,
): Promise<void> {
  const left = await applyServiceLists(image, { ...recipe, services: { ...recipe.services, ...pending } });
  const where = recipe.services.line === undefined ? '' : `line ${recipe.services.line}: `;
  for (const [verb, units] of [
    ['enabled', left.enabled],
    ['disabled', left.disabled],
  ] as const) {
    for (const unit of units) {
      ctx.log(
        `warning: ${where}services --${verb}=${unit}: no such unit in the image, not even after %post; left as is`,
      );
    }
  }
}

const selinuxConfig = '/etc/selinux/config';

/**
 * `selinux` as Anaconda applies it: the mode into the policy's config, where the image has a policy. The build
 * cannot label the files (setting security.selinux needs CAP_SYS_ADMIN on the host, which the sandbox never
 * has), so an image whose policy is in force labels them at its first boot: `/.autorelabel`, as Fedora and
 * Debian's selinux-activate do.
 */
async function selinuxFiles(
  ctx: StepContext,
  image: ImageAccess,
  recipe: ImageRecipe,
  hasPolicy: boolean,
): Promise<ImageFile[]> {
  const asked = recipe.selinux;
  // Read only where configureRoot's one look at the image found it: most images have no policy.
  const config = hasPolicy ? await image.read(selinuxConfig) : undefined;
  if (config === undefined) {
    if (asked && asked.mode !== 'disabled') {
      ctx.log(
        `line ${asked.line}: selinux --${asked.mode}: the image has no SELinux policy (${selinuxConfig}); not applied`,
      );
    }
    return [];
  }
  const files: ImageFile[] = [];
  if (asked) {
    const line = `SELINUX=${asked.mode}`;
    const text = /^SELINUX=.*$/m.test(config)
      ? config.replace(/^SELINUX=.*$/m, line)
      : `${config}${config === '' || config.endsWith('\n') ? '' : '\n'}${line}\n`;
    files.push({ path: selinuxConfig, text });
  }
  const mode = asked?.mode ?? /^SELINUX=(\S*)/m.exec(config)?.[1];
  if (mode !== 'disabled') {
    ctx.log(
      `SELinux ${mode ?? 'policy'}: the files carry no labels yet; /.autorelabel labels them at first boot`,
    );
    files.push({ path: '/.autorelabel', text: '' });
  }
  return files;
}

export const firewallOfflineCmd = '/usr/bin/firewall-offline-cmd';

/** firewall-offline-cmd's arguments for `firewall`, as Anaconda gives them (ssh let in unless told otherwise). */
export function firewallArgs(firewall: FirewallSettings): string[] {
  const { services, removeServices, ports, trusts } = firewall;
  const sshAsked = services.includes('ssh') || removeServices.includes('ssh') || ports.includes('22:tcp');
  return [
    firewall.mode === 'disabled' ? '--disabled' : '--enabled',
    ...(sshAsked ? [] : ['--service=ssh']),
    ...trusts.map((device) => `--trust=${device}`),
    ...ports.map((port) => `--port=${port}`),
    ...removeServices.map((service) => `--remove-service=${service}`),
    ...services.map((service) => `--service=${service}`),
  ];
}

/**
 * `firewall` through the image's firewalld. Without firewalld, a firewall that is to be on is the kickstart's
 * error (Anaconda's too: the user asked for a firewall the image cannot have); one to be off is logged.
 */
async function configureFirewall(
  ctx: StepContext,
  image: ImageAccess,
  recipe: ImageRecipe,
  hasFirewalld: boolean,
) {
  const firewall = recipe.firewall;
  if (!firewall) return;
  const where = `line ${firewall.line}: firewall`;
  if (firewall.mode === 'system-defaults') {
    ctx.log(`${where} --use-system-defaults: the packages' own firewall settings are kept`);
    return;
  }
  if (!hasFirewalld) {
    if (firewall.mode === 'enabled') {
      throw new BuildFailure(
        'kickstart-error',
        'configure',
        `${where} --enabled: the image has no ${firewallOfflineCmd}; add firewalld to %packages`,
      );
    }
    ctx.log(`${where} --disabled: the image has no firewalld (${firewallOfflineCmd}); nothing to turn off`);
    return;
  }
  await asKickstartError(where, () => image.run([firewallOfflineCmd, ...firewallArgs(firewall)]));
}

/** Where each display manager Debian ships reads an autologin user from. */
const autologinConfigs = [
  {
    binary: '/usr/sbin/lightdm',
    file: '/etc/lightdm/lightdm.conf.d/50-imger-autologin.conf',
    text: (u: string) => `[Seat:*]\nautologin-user=${u}\n`,
  },
  {
    binary: '/usr/sbin/gdm3',
    file: '/etc/gdm3/daemon.conf',
    text: (u: string) => `[daemon]\nAutomaticLoginEnable=true\nAutomaticLogin=${u}\n`,
  },
  {
    binary: '/usr/bin/sddm',
    file: '/etc/sddm.conf.d/50-imger-autologin.conf',
    text: (u: string) => `[Autologin]\nUser=${u}\n`,
  },
];

export async function configureRoot(
  ctx: StepContext,
  image: ImageAccess,
  recipe: ImageRecipe,
  layout: Layout | undefined,
  rootOnlyFstab: boolean,
  family: ImageFamily = 'debian',
  /** The build's seed (reproducible.ts): password salts derived from it. */
  seed?: string,
): Promise<PendingServices> {
  const zone = recipe.timezone === 'Etc/UTC' ? 'UTC' : recipe.timezone;
  const present = await image.existing([
    zoneFile(zone),
    systemctlPath,
    networkManagerPath,
    firewallOfflineCmd,
    selinuxConfig,
    ...resolvedPaths,
    ...autologinConfigs.map((manager) => manager.binary),
  ]);
  if (zone !== 'UTC' && !present.has(zoneFile(zone))) {
    throw new BuildFailure('kickstart-error', 'configure', `timezone ${recipe.timezone} is not in tzdata`);
  }
  const services = applyServices(ctx, recipe, present.has(systemctlPath));
  const manager: NetworkManagerKind =
    family === 'rpm' && present.has(networkManagerPath) ? 'NetworkManager' : 'networkd';
  const networkd = services && manager === 'networkd' && (recipe.dhcp || recipe.staticNetworks.length > 0);
  for (const network of networkd ? recipe.staticNetworks.filter((n) => !n.device) : []) {
    ctx.log(
      `warning: line ${network.line}: network --bootproto=static without --device: systemd-networkd gives ` +
        `${network.address} to every wired interface; name the device when the machine has more than one`,
    );
  }
  const autologin = recipe.autologinUser
    ? autologinConfigs.filter((manager) => present.has(manager.binary))
    : [];
  if (recipe.autologinUser && autologin.length === 0) {
    ctx.log(`no display manager in the image; desktop --autologinuser=${recipe.autologinUser} not applied`);
  }
  await image.write([
    { path: '/etc/hostname', text: `${recipe.hostname}\n` },
    {
      path: '/etc/hosts',
      text: `127.0.0.1 localhost\n127.0.1.1 ${recipe.hostname}\n::1 localhost ip6-localhost ip6-loopback\n`,
    },
    ...localisationFiles(recipe, zone, family),
    ...(services
      ? networkFiles(
          recipe,
          manager,
          resolvedPaths.some((path) => present.has(path)),
        )
      : []),
    ...autologin.map((manager) => ({ path: manager.file, text: manager.text(recipe.autologinUser!) })),
    ...(family === 'rpm' && recipe.installLangs
      ? [{ path: installLangsFile, text: installLangsMacro(recipe.installLangs) }]
      : []),
    ...(await selinuxFiles(ctx, image, recipe, present.has(selinuxConfig))),
    {
      path: '/etc/fstab',
      text: layout
        ? renderFstab(layout, rootOnlyFstab)
        : '# no filesystems: mounted by the system that runs the image\n',
    },
  ]);
  if (family === 'debian' && needsLocaleGen(recipe)) {
    await asKickstartError(`lang ${recipe.locale}`, () => image.run(['locale-gen']));
  }
  await configureAccounts(ctx, image, recipe, seed);
  await configureFirewall(ctx, image, recipe, present.has(firewallOfflineCmd));
  return services ? configureServices(image, recipe, networkd) : { enabled: [], disabled: [] };
}

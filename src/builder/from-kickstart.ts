// The "resolve" input side: a kickstart, as pykickstart reads it, turned into the ImageRecipe the engine
// builds. Everything an image build cannot honour is said here, once: either a note in the log
// (installer-only commands) or a kickstart error before any work starts (layouts the builder cannot make).
import {
  applyOverlay,
  commandOf,
  commandsOf,
  formatDiagnostic,
  formatKickstart,
  type Kickstart,
  type KickstartOverlay,
  type ParseOptions,
  parseKickstart,
  parseTokenMap,
  withDefaultTokens,
} from '../kickstart/index.ts';
import { parseArch } from './arches.ts';
import { BuildFailure } from './failures.ts';
import { type PackFormat, parseImageType } from './image-types.ts';
import {
  baseRecipe,
  defaultPartitions,
  type FsType,
  type ImageRecipe,
  type PackageSource,
  type Partition,
  type Password,
  type Script,
} from './recipe.ts';
import { detectRepoKind } from './repo-kind.ts';
import { gpgKeyProblem } from './signing-keys.ts';

export interface KickstartInput {
  /** The kickstart text as submitted. */
  kickstart: string;
  type: string;
  arch: string;
  name: string;
  /** mic's `TOKEN:VALUE,…`, or the same as a map. */
  tokenmap?: string | Readonly<Record<string, string>>;
  outputDir: string;
  packTo?: PackFormat;
  /** A job's extra repositories and packages, added to the kickstart before it is read. */
  overlay?: KickstartOverlay;
  /** Where %include may read from; by default a submitted kickstart may include nothing. */
  includes?: Pick<ParseOptions, 'file' | 'baseDir' | 'includeRoots'>;
  /** The admin's folder of signing keys `repo --gpgkey=file:` may name; '' or absent for none. */
  gpgKeyDir?: string;
}

export interface ResolvedKickstart {
  recipe: ImageRecipe;
  /** The kickstart as built: includes flattened, tokens applied, in canonical form. */
  asBuilt: string;
  /** What the build does not apply, for the log. */
  notes: string[];
}

/** Commands that configure an installer run, not an image: logged and skipped. */
const INSTALLER_ONLY = new Set([
  'selinux',
  'firewall',
  'clearpart',
  'zerombr',
  'ignoredisk',
  'autopart',
  'reqpart',
  'eula',
  'firstboot',
  'text',
  'graphical',
  'cmdline',
  'reboot',
  'poweroff',
  'halt',
  'shutdown',
  'logging',
  'skipx',
  'authselect',
  'timesource',
  'iscsi',
  'iscsiname',
  'driverdisk',
  'mount',
  'module',
  'sshpw',
  'realm',
  'installerfw_plugins',
]);

/** Storage and payload commands whose meaning the native builder cannot produce: refused up front. */
const UNSUPPORTED = new Map([
  ['volgroup', 'LVM volume groups'],
  ['logvol', 'LVM logical volumes'],
  ['raid', 'software RAID'],
  ['btrfs', 'btrfs volumes and subvolumes'],
  ['liveimg', 'installing from a disk image (liveimg)'],
  ['ostreesetup', 'OSTree deployments'],
]);

const PACK_FORMATS: Record<string, PackFormat> = {
  '.tar.zst': 'tar.zst',
  '.tar.gz': 'tar.gz',
  '.tgz': 'tar.gz',
  '.tar.bz2': 'tar.bz2',
  '.tbz': 'tar.bz2',
};

function kickstartError(message: string): BuildFailure {
  return new BuildFailure('kickstart-error', 'resolve', message);
}

function tokensOf(input: KickstartInput): Map<string, string> {
  if (typeof input.tokenmap === 'string') {
    const parsed = parseTokenMap(input.tokenmap);
    if (!parsed.ok) throw kickstartError(parsed.error);
    return withDefaultTokens(parsed.tokens, input.arch);
  }
  return withDefaultTokens(new Map(Object.entries(input.tokenmap ?? {})), input.arch);
}

/** Parses and checks the kickstart, then maps it; throws a kickstart-error BuildFailure that names lines. */
export async function resolveKickstart(
  input: KickstartInput,
  signal: AbortSignal,
): Promise<ResolvedKickstart> {
  const type = parseImageType(input.type);
  const arch = parseArch(input.arch);
  const tokens = tokensOf(input);
  const overlaid = applyOverlay(input.kickstart, input.overlay ?? {});
  if (!overlaid.ok) throw kickstartError(overlaid.error);
  const parsed = parseKickstart(overlaid.text, {
    file: `${input.name}.ks`,
    tokens,
    ...(input.includes ?? {
      readInclude: ({ directive }) => ({
        ok: false,
        error: `${directive} is not available for a submitted kickstart; flatten it first (imger ks format)`,
      }),
    }),
  });
  if (!parsed.ok) {
    const [first, ...rest] = parsed.errors;
    const more = rest.length > 0 ? ` (and ${rest.length} more error${rest.length === 1 ? '' : 's'})` : '';
    throw kickstartError(`${formatDiagnostic(first!)}${more}`);
  }
  const ks = parsed.kickstart;
  const notes = parsed.warnings.map(formatDiagnostic);
  for (const command of ks.commands) {
    const unsupported = UNSUPPORTED.get(command.name);
    if (unsupported) {
      throw kickstartError(
        `line ${command.location.line}: ${command.name}: the native builder does not make ${unsupported}`,
      );
    }
    if (INSTALLER_ONLY.has(command.name)) {
      notes.push(
        `line ${command.location.line}: ${command.name} applies to an installer run, not to an image build; ignored`,
      );
    }
  }

  const recipe = baseRecipe(type, arch, input.name, input.outputDir);
  recipe.tokens = Object.fromEntries(tokens);
  recipe.sources = await sourcesOf(ks, notes, input.gpgKeyDir ?? '', signal);
  applySystem(ks, recipe, notes);
  applyPackages(ks, recipe, notes);
  recipe.partitions = partitionsOf(ks, notes);
  recipe.scripts = scriptsOf(ks, notes);
  recipe.attachments = ks.attachments ?? [];
  recipe.packTo = input.packTo ?? packFormatOf(ks) ?? recipe.packTo;
  return { recipe, asBuilt: formatKickstart(ks), notes };
}

/** What repo and url lines share, as far as choosing a package source goes. */
interface SourceLine {
  name: string;
  baseurl?: string;
  suite?: string;
  components?: string[];
  type?: 'apt' | 'rpm';
  disable?: boolean;
  gpgkey?: string;
  line: number;
}

async function sourcesOf(
  ks: Kickstart,
  notes: string[],
  gpgKeyDir: string,
  signal: AbortSignal,
): Promise<PackageSource[]> {
  const lines: SourceLine[] = [
    ...commandsOf(ks, 'url').map((c) => ({
      ...c.options,
      name: 'url',
      baseurl: c.options.url,
      line: c.location.line,
    })),
    ...commandsOf(ks, 'repo').map((c) => ({
      ...c.options,
      name: c.options.name ?? 'repo',
      line: c.location.line,
    })),
  ];
  const sources: PackageSource[] = [];
  for (const repo of lines) {
    if (repo.disable) {
      notes.push(`line ${repo.line}: repo ${repo.name} is disabled; not used`);
      continue;
    }
    const url = repo.baseurl;
    if (!url)
      throw kickstartError(`line ${repo.line}: repo ${repo.name}: the native builder needs --baseurl`);
    const keyProblem = repo.gpgkey === undefined ? undefined : gpgKeyProblem(repo.gpgkey, gpgKeyDir);
    if (keyProblem) throw kickstartError(`line ${repo.line}: repo ${repo.name}: ${keyProblem}`);
    const gpgKey = repo.gpgkey === undefined ? {} : { gpgKey: repo.gpgkey };
    const kind = repo.type ?? (repo.suite ? 'apt' : await detectRepoKind(url, undefined, signal));
    if (kind === undefined) {
      throw kickstartError(
        `line ${repo.line}: repo ${repo.name}: ${url} serves no repodata/repomd.xml; for an apt archive give --suite=`,
      );
    }
    if (kind === 'apt') {
      if (!repo.suite)
        throw kickstartError(`line ${repo.line}: repo ${repo.name}: an apt archive needs --suite=`);
      sources.push({
        kind: 'apt',
        name: repo.name,
        url,
        suite: repo.suite,
        components: repo.components ?? ['main'],
        ...gpgKey,
      });
    } else {
      sources.push({ kind: 'rpm', name: repo.name, url, ...gpgKey });
    }
  }
  if (sources.some((s) => s.kind === 'apt') && sources.some((s) => s.kind === 'rpm')) {
    throw kickstartError(
      'the repo lines mix apt archives and rpm repositories; one image uses one package manager',
    );
  }
  return sources;
}

function passwordOf(
  value: string | undefined,
  crypted: boolean | undefined,
  locked: boolean | undefined,
): Password {
  if (locked || value === undefined) return { kind: 'locked' };
  return crypted ? { kind: 'crypted', value } : { kind: 'plain', value };
}

function applySystem(ks: Kickstart, recipe: ImageRecipe, notes: string[]): void {
  const lang = commandOf(ks, 'lang');
  if (lang?.args[0]) recipe.locale = lang.args[0];
  const keyboard = commandOf(ks, 'keyboard');
  const keymap = keyboard?.args[0] ?? keyboard?.options.vckeymap ?? keyboard?.options.xlayouts?.[0];
  if (keymap) recipe.keymap = keymap;
  const timezone = commandOf(ks, 'timezone');
  if (timezone) {
    if (timezone.args[0]) recipe.timezone = timezone.args[0];
    recipe.utc = timezone.options.utc === true;
  }
  const rootpw = commandOf(ks, 'rootpw');
  if (rootpw) recipe.rootPassword = passwordOf(rootpw.args[0], rootpw.options.iscrypted, rootpw.options.lock);
  recipe.groups = commandsOf(ks, 'group').map((g) => ({
    name: g.options.name!,
    ...(g.options.gid !== undefined ? { gid: g.options.gid } : {}),
  }));
  recipe.users = commandsOf(ks, 'user').map((u) => ({
    name: u.options.name!,
    groups: u.options.groups ?? [],
    password: passwordOf(u.options.password, u.options.iscrypted, u.options.lock),
    ...(u.options.homedir ? { homedir: u.options.homedir } : {}),
    ...(u.options.shell ? { shell: u.options.shell } : {}),
    ...(u.options.uid !== undefined ? { uid: u.options.uid } : {}),
  }));
  recipe.sshKeys = commandsOf(ks, 'sshkey').map((k) => ({ user: k.options.username!, key: k.args[0]! }));
  for (const network of commandsOf(ks, 'network')) {
    if (network.options.hostname) recipe.hostname = network.options.hostname;
    if (network.options.bootproto && network.options.bootproto !== 'dhcp') {
      notes.push(
        `line ${network.location.line}: network --bootproto=${network.options.bootproto} is not applied; the image uses DHCP`,
      );
    }
  }
  const services = commandOf(ks, 'services');
  if (services) {
    recipe.services = {
      enabled: services.options.enabled ?? [],
      disabled: services.options.disabled ?? [],
      line: services.location.line,
    };
  }
  const bootloader = commandOf(ks, 'bootloader');
  if (bootloader?.options.append !== undefined) recipe.bootloader.append = bootloader.options.append;
  if (bootloader?.options.timeout !== undefined) recipe.bootloader.timeoutS = bootloader.options.timeout;
  const xconfig = commandOf(ks, 'xconfig');
  if (xconfig?.options.startxonboot) recipe.startX = true;
  const desktop = commandOf(ks, 'desktop');
  if (desktop?.options.autologinuser) recipe.autologinUser = desktop.options.autologinuser;
}

/** apt has no comps groups: `@NAME` (and the environment `@^NAME`) means Debian's task package task-NAME. */
function aptTask(group: string): string {
  if (!/^[a-z0-9][a-z0-9.+-]*$/.test(group)) {
    throw kickstartError(
      `%packages: group "${group}" has no apt equivalent; IMG maps @NAME to the Debian task package task-NAME`,
    );
  }
  return group.startsWith('task-') ? group : `task-${group}`;
}

function applyPackages(ks: Kickstart, recipe: ImageRecipe, notes: string[]): void {
  const selection = ks.packages;
  const apt = !recipe.sources.some((s) => s.kind === 'rpm');
  const groups = [
    ...(selection?.environment ? [selection.environment] : []),
    ...(selection?.groups.map((g) => g.name) ?? []),
  ];
  const grouped = apt ? groups.map(aptTask) : groups.map((g) => `@${g}`);
  for (const [index, group] of groups.entries()) {
    if (apt) notes.push(`%packages: @${group} installs the Debian task package ${grouped[index]}`);
  }
  recipe.packages = [...(ks.prepackages ?? []), ...grouped, ...(selection?.packages ?? [])];
  recipe.excludedPackages = [
    ...(selection?.excludedPackages ?? []),
    ...(selection?.excludedGroups.map((g) => (apt ? aptTask(g) : `@${g}`)) ?? []),
  ];
}

const FS_TYPES: Record<string, FsType> = {
  ext4: 'ext4',
  xfs: 'xfs',
  btrfs: 'btrfs',
  vfat: 'vfat',
  efi: 'vfat',
  swap: 'swap',
};
const MOUNTPOINTS = new Set<Partition['mountpoint']>(['/', '/boot', '/boot/efi', 'swap']);

function partitionsOf(ks: Kickstart, notes: string[]): Partition[] {
  const partitions: Partition[] = [];
  for (const part of commandsOf(ks, 'part')) {
    const mountpoint = part.args[0]!;
    const line = part.location.line;
    if (mountpoint === 'biosboot') {
      notes.push(`line ${line}: part biosboot: raw disks always get a BIOS boot partition; ignored`);
      continue;
    }
    if (!MOUNTPOINTS.has(mountpoint as Partition['mountpoint'])) {
      throw kickstartError(
        `line ${line}: part ${mountpoint}: the native builder makes only /, /boot, /boot/efi and swap partitions`,
      );
    }
    const requested =
      part.options.fstype ?? (mountpoint === 'swap' ? 'swap' : mountpoint === '/boot/efi' ? 'vfat' : 'ext4');
    const fstype = FS_TYPES[requested];
    if (!fstype) {
      throw kickstartError(
        `line ${line}: part ${mountpoint}: --fstype=${requested} is not one of ext4, xfs, btrfs, vfat, swap`,
      );
    }
    partitions.push({
      mountpoint: mountpoint as Partition['mountpoint'],
      fstype,
      grow: part.options.grow === true,
      ...(part.options.size !== undefined ? { sizeMiB: part.options.size } : {}),
      ...(part.options.label ? { label: part.options.label } : {}),
    });
  }
  return partitions.length > 0 ? partitions : defaultPartitions;
}

function scriptsOf(ks: Kickstart, notes: string[]): Script[] {
  const scripts: Script[] = [];
  for (const script of ks.scripts) {
    const line = script.location.line;
    if (script.kind === 'onerror' || script.kind === 'traceback') {
      notes.push(`line ${line}: %${script.kind} runs only in an installer; not run by an image build`);
      continue;
    }
    const kind = script.kind === 'pre-install' ? 'pre' : script.kind;
    scripts.push({
      kind,
      body: script.body,
      interpreter: script.interpreter,
      nochroot: script.nochroot,
      erroronfail: script.erroronfail,
    });
  }
  return scripts;
}

/** mic's `--pack-to=NAME.tar.gz` in the first-line header picks the fs tarball's compression. */
function packFormatOf(ks: Kickstart): PackFormat | undefined {
  const packTo = ks.micOptions?.args.find((a) => a.startsWith('--pack-to=') || a.startsWith('--taring-to='));
  if (!packTo) return undefined;
  const target = packTo.slice(packTo.indexOf('=') + 1);
  return Object.entries(PACK_FORMATS).find(([suffix]) => target.endsWith(suffix))?.[1];
}

// The one judgement of a job's inputs: kickstart, type, arch, extra repositories and packages in, a build plan
// (the recipe, what the log should say) or every refusal with its line out. The service calls it at submit and
// as the user types (lint); the builder's resolve step calls it again before any work. Nothing here reads the
// network or the disk, so what it accepts at submit it accepts in the build.

import { isIP, isIPv4 } from 'node:net';
import {
  applyOverlay,
  commandOf,
  commandsOf,
  type Diagnostic,
  formatDiagnostic,
  formatKickstart,
  type Kickstart,
  type KickstartOverlay,
  type ParseOptions,
  parseKickstart,
  parseTokenMap,
  withDefaultTokens,
} from '../kickstart/index.ts';
import { type Arch, parseArch } from './arches.ts';
import { escapeRegExp } from './escape-regexp.ts';
import { BuildFailure } from './failures.ts';
import {
  bootableArchProblem,
  hasLayout,
  type ImageType,
  type PackFormat,
  parseImageType,
} from './image-types.ts';
import { layoutProblems } from './layout.ts';
import {
  baseRecipe,
  defaultPartitions,
  type FsType,
  type ImageRecipe,
  type PackageSource,
  type Partition,
  type Password,
  type RpmRepo,
  type Script,
  type StaticNetwork,
} from './recipe.ts';
import type { PlanError, RefusalCode } from './refusals.ts';
import { gpgKeyProblem } from './signing-keys.ts';
import { APT_WORD, PACKAGE_NAME, REPO_NAME } from './source-names.ts';

export interface PlanInput {
  /** The kickstart text as submitted. */
  kickstart: string;
  /** Absent in a lint that was not told: the checks that need it are left out. */
  type?: string;
  arch?: string;
  /** mic's `TOKEN:VALUE,…`, or the same as a map. */
  tokenmap?: string | Readonly<Record<string, string>>;
  /** A job's extra repositories and packages, added to the kickstart before it is read. */
  overlay?: KickstartOverlay;
  /** The file name the kickstart's problems give. */
  file?: string;
  /** Where %include may read from; by default a submitted kickstart may include nothing. */
  includes?: Pick<ParseOptions, 'baseDir' | 'includeRoots'>;
  /** The admin's folder of signing keys `repo --gpgkey=file:` may name; '' or absent for none. */
  gpgKeyDir?: string;
  /** What the builder found each repository line (by its line) to serve, where its options do not say. */
  repoKinds?: ReadonlyMap<number, 'apt' | 'rpm'>;
}

/** A repo or url line, as the build will use it. */
export interface PlannedSource {
  name: string;
  url: string;
  line: number;
  /** Undefined until the builder looks at the repository (no --suite, no --type). */
  kind?: 'apt' | 'rpm';
  suite?: string;
  components: string[];
  gpgKey?: string;
  /** The repo line's options dnf takes (rpm repositories). */
  dnf: Pick<
    RpmRepo,
    'mirrorlist' | 'metalink' | 'cost' | 'includePkgs' | 'excludePkgs' | 'proxy' | 'install'
  >;
}

export interface BuildPlan {
  type: ImageType;
  arch: Arch;
  /** Complete once `undetected` is empty: its sources are those whose kind is known. */
  recipe: Omit<ImageRecipe, 'outputDir' | 'name'>;
  sources: PlannedSource[];
  /** Repository lines whose kind only the repository itself can tell. */
  undetected: PlannedSource[];
  /** The kickstart as built: includes flattened, tokens applied, in canonical form. */
  asBuilt: string;
  /** What the build does not apply, for the log. */
  notes: string[];
}

export type PlanResult =
  | { ok: true; plan: BuildPlan; warnings: Diagnostic[] }
  | { ok: false; errors: PlanError[]; warnings: Diagnostic[] };

/** Commands that configure an installer run, not an image: logged and skipped. */
const INSTALLER_ONLY = new Set([
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

/** The refusals found so far; a check adds to it and goes on, so the user sees every problem at once. */
class Refusals {
  readonly errors: PlanError[] = [];
  add(code: RefusalCode, line: number, message: string): void {
    this.errors.push({ code, line, message });
  }
}

function attempt<T>(refusals: Refusals, code: RefusalCode, parse: () => T): T | undefined {
  try {
    return parse();
  } catch (error) {
    if (!(error instanceof BuildFailure)) throw error;
    refusals.add(code, 0, error.message);
    return undefined;
  }
}

/** Judges a job's inputs as the native builder will: a plan, or every refusal with its line. */
export function planBuild(input: PlanInput): PlanResult {
  const refusals = new Refusals();
  const type =
    input.type === undefined
      ? undefined
      : attempt(refusals, input.type.match(/^(nand|mrstnand)$/) ? 'mic-only-type' : 'unknown-type', () =>
          parseImageType(input.type!),
        );
  const arch =
    input.arch === undefined ? undefined : attempt(refusals, 'unknown-arch', () => parseArch(input.arch!));
  const tokens = tokensOf(input, arch, refusals);
  const overlaid = applyOverlay(input.kickstart, input.overlay ?? {});
  if (!overlaid.ok) refusals.add('overlay', 0, overlaid.error);
  if (!tokens || !overlaid.ok) return { ok: false, errors: refusals.errors, warnings: [] };
  const parsed = parseKickstart(overlaid.text, {
    file: input.file ?? 'kickstart.ks',
    tokens,
    ...(input.includes ?? {
      // A submitted kickstart must be whole: includes would read the server's own files.
      readInclude: ({ directive }) => ({
        ok: false,
        error: `${directive} is not allowed in a submitted kickstart; flatten it first (imger ks format)`,
      }),
    }),
  });
  for (const error of parsed.errors)
    refusals.errors.push({ code: 'syntax', line: error.line, message: error.message, file: error.file });
  if (!parsed.ok) return { ok: false, errors: refusals.errors, warnings: parsed.warnings };

  const ks = parsed.kickstart;
  const notes = parsed.warnings.map(formatDiagnostic);
  checkCommands(ks, notes, refusals);
  const sources = sourcesOf(ks, input, notes, refusals);
  if (type && arch) {
    const bootable = bootableArchProblem(type, arch);
    if (bootable) refusals.add('bootable-arch', 0, bootable);
  }
  const known = sources.filter((s) => s.kind !== undefined);
  checkPackageManagers(known, refusals);
  // With a repository of unknown kind, whether groups are apt tasks is the build's to say.
  const kind = known.some((s) => s.kind === 'rpm')
    ? 'rpm'
    : known.length === sources.length
      ? 'apt'
      : undefined;
  const packages = packagesOf(ks, overlaid.text, kind, notes, refusals);
  const packageOptions = packageOptionsOf(ks, kind, notes, refusals);
  const firewall = firewallOf(ks, refusals);
  const staticNetworks = staticNetworksOf(ks, notes, refusals);
  const partitions = partitionsOf(ks, type, notes, refusals);
  if (refusals.errors.length > 0 || !type || !arch) {
    return { ok: false, errors: refusals.errors, warnings: parsed.warnings };
  }

  const recipe: BuildPlan['recipe'] = baseRecipe(type, arch, '', '');
  recipe.tokens = Object.fromEntries(tokens);
  recipe.sources = known.map(packageSource);
  applySystem(ks, recipe, notes);
  recipe.packages = packages.packages;
  recipe.excludedPackages = packages.excluded;
  Object.assign(recipe, packageOptions);
  if (firewall) recipe.firewall = firewall;
  recipe.staticNetworks = staticNetworks;
  recipe.partitions = partitions;
  recipe.scripts = scriptsOf(ks, notes);
  recipe.attachments = ks.attachments ?? [];
  recipe.packTo = packFormatOf(ks) ?? recipe.packTo;
  const plan: BuildPlan = {
    type,
    arch,
    recipe,
    sources,
    undetected: sources.filter((s) => s.kind === undefined),
    asBuilt: formatKickstart(ks),
    notes,
  };
  return { ok: true, plan, warnings: parsed.warnings };
}

function tokensOf(
  input: PlanInput,
  arch: Arch | undefined,
  refusals: Refusals,
): Map<string, string> | undefined {
  if (typeof input.tokenmap === 'string') {
    const parsed = parseTokenMap(input.tokenmap);
    if (!parsed.ok) {
      refusals.add('tokenmap', 0, `tokenmap: ${parsed.error}`);
      return undefined;
    }
    return withDefaultTokens(parsed.tokens, arch);
  }
  return withDefaultTokens(new Map(Object.entries(input.tokenmap ?? {})), arch);
}

function checkCommands(ks: Kickstart, notes: string[], refusals: Refusals): void {
  for (const command of ks.commands) {
    const line = command.location.line;
    const unsupported = UNSUPPORTED.get(command.name);
    if (unsupported) {
      refusals.add(
        'unsupported-command',
        line,
        `${command.name}: the native builder does not make ${unsupported}`,
      );
    }
    if (INSTALLER_ONLY.has(command.name)) {
      notes.push(`line ${line}: ${command.name} applies to an installer run, not to an image build; ignored`);
    }
  }
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
  mirrorlist?: string;
  metalink?: string;
  cost?: number;
  includepkgs?: string[];
  excludepkgs?: string[];
  proxy?: string;
  install?: boolean;
  line: number;
}

function sourcesOf(ks: Kickstart, input: PlanInput, notes: string[], refusals: Refusals): PlannedSource[] {
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
  const sources: PlannedSource[] = [];
  for (const repo of lines) {
    const { line, name } = repo;
    if (repo.disable) {
      notes.push(`line ${line}: repo ${name} is disabled; not used`);
      continue;
    }
    // A mirror list or metalink is dnf's alone (the kickstart refuses them with --suite): an rpm repository.
    const mirror = repo.mirrorlist ?? repo.metalink;
    const url = repo.baseurl ?? mirror;
    if (!url) {
      refusals.add(
        'repo-without-baseurl',
        line,
        `repo ${name}: the native builder needs --baseurl, --mirrorlist or --metalink`,
      );
      continue;
    }
    // The list is dnf's to read on the build host: a file: one would be any host file, its lines printed into
    // the user's log as bad mirror URLs (and /dev/zero or a FIFO read for the build key without end).
    if (mirror !== undefined && !/^https?:\/\//i.test(mirror)) {
      refusals.add(
        'mirror-list-url',
        line,
        `repo ${name}: a mirror list or metalink is an http:// or https:// URL`,
      );
      continue;
    }
    const keyProblem =
      repo.gpgkey === undefined ? undefined : gpgKeyProblem(repo.gpgkey, input.gpgKeyDir ?? '');
    if (keyProblem) refusals.add('signing-key', line, `repo ${name}: ${keyProblem}`);
    const kind = repo.type ?? (repo.suite ? 'apt' : mirror ? 'rpm' : input.repoKinds?.get(line));
    if (kind === 'apt' && !repo.suite) {
      refusals.add('apt-without-suite', line, `repo ${name}: an apt archive needs --suite=`);
    }
    const notWord = [repo.suite ?? 'main', ...(repo.components ?? [])].find((word) => !APT_WORD.test(word));
    if (kind === 'apt' && notWord !== undefined) {
      refusals.add('apt-word', line, `repo ${name}: suite or component "${notWord}" is not a plain word`);
    }
    if (kind === 'rpm' && !REPO_NAME.test(name)) {
      refusals.add(
        'repo-name',
        line,
        `repo ${name}: an rpm repository's name is letters, digits, ".", "_", ":" and "-" (dnf takes it on its command line)`,
      );
    }
    sources.push({
      name,
      url,
      line,
      ...(kind ? { kind } : {}),
      ...(repo.suite ? { suite: repo.suite } : {}),
      components: repo.components ?? ['main'],
      ...(repo.gpgkey === undefined ? {} : { gpgKey: repo.gpgkey }),
      dnf: {
        ...(repo.mirrorlist ? { mirrorlist: repo.mirrorlist } : {}),
        ...(repo.metalink ? { metalink: repo.metalink } : {}),
        ...(repo.cost === undefined ? {} : { cost: repo.cost }),
        ...(repo.includepkgs ? { includePkgs: repo.includepkgs } : {}),
        ...(repo.excludepkgs ? { excludePkgs: repo.excludepkgs } : {}),
        ...(repo.proxy ? { proxy: repo.proxy } : {}),
        ...(repo.install ? { install: true } : {}),
      },
    });
  }
  return sources;
}

function checkPackageManagers(sources: PlannedSource[], refusals: Refusals): void {
  const firstApt = sources.find((s) => s.kind === 'apt');
  const firstRpm = sources.find((s) => s.kind === 'rpm');
  if (firstApt && firstRpm) {
    refusals.add(
      'mixed-package-managers',
      Math.max(firstApt.line, firstRpm.line),
      'the repo lines mix apt archives and rpm repositories; one image uses one package manager',
    );
  }
}

function packageSource(source: PlannedSource): PackageSource {
  const gpgKey = source.gpgKey === undefined ? {} : { gpgKey: source.gpgKey };
  return source.kind === 'apt'
    ? {
        kind: 'apt',
        name: source.name,
        url: source.url,
        suite: source.suite!,
        components: source.components,
        ...gpgKey,
      }
    : { kind: 'rpm', name: source.name, url: source.url, ...gpgKey, ...source.dnf };
}

function passwordOf(
  value: string | undefined,
  crypted: boolean | undefined,
  locked: boolean | undefined,
): Password {
  if (locked || value === undefined) return { kind: 'locked' };
  return crypted ? { kind: 'crypted', value } : { kind: 'plain', value };
}

function applySystem(ks: Kickstart, recipe: BuildPlan['recipe'], notes: string[]): void {
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
    const { bootproto } = network.options;
    if (bootproto && bootproto !== 'dhcp' && bootproto !== 'static') {
      notes.push(
        `line ${network.location.line}: network --bootproto=${bootproto} is not applied; the image uses DHCP`,
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
  const selinux = commandOf(ks, 'selinux');
  const selinuxMode = (['enforcing', 'permissive', 'disabled'] as const).find(
    (mode) => selinux?.options[mode],
  );
  if (selinux && selinuxMode) recipe.selinux = { mode: selinuxMode, line: selinux.location.line };
  const bootloader = commandOf(ks, 'bootloader');
  if (bootloader?.options.append !== undefined) recipe.bootloader.append = bootloader.options.append;
  if (bootloader?.options.timeout !== undefined) recipe.bootloader.timeoutS = bootloader.options.timeout;
  const xconfig = commandOf(ks, 'xconfig');
  if (xconfig?.options.startxonboot) recipe.startX = true;
  const desktop = commandOf(ks, 'desktop');
  if (desktop?.options.autologinuser) recipe.autologinUser = desktop.options.autologinuser;
}

type PackageOptionFields = Pick<
  ImageRecipe,
  'excludeDocs' | 'ignoreMissing' | 'noCore' | 'excludeWeakDeps' | 'installLangs' | 'multilib'
>;

/** A language code as rpm's %_install_langs lists them (`en`, `pt_BR`, `sr@latin`), or `all`. */
const LANGUAGE =
  /^([A-Za-z]{2,8}(_[A-Za-z0-9]{2,3})?(\.[A-Za-z0-9-]+)?(@[A-Za-z0-9]+)?|(C|POSIX)(\.[A-Za-z0-9-]+)?|all)$/;

/** The %packages options the build applies; those only dnf has are a note on an apt image. */
function packageOptionsOf(
  ks: Kickstart,
  kind: 'apt' | 'rpm' | undefined,
  notes: string[],
  refusals: Refusals,
): PackageOptionFields {
  const options = ks.packages?.options ?? {};
  const line = ks.packages?.location.line ?? 0;
  const fields: PackageOptionFields = {};
  if (options.excludedocs) fields.excludeDocs = true;
  if (options.ignoremissing) fields.ignoreMissing = true;
  if (options.nocore) fields.noCore = true;
  if (options['exclude-weakdeps']) fields.excludeWeakDeps = true;
  if (options.multilib) fields.multilib = true;
  const langs = options['inst-langs'];
  if (langs !== undefined) {
    // The value becomes a line of an rpm macros file: anything but codes could define or run a macro.
    const codes = langs.split(/[:,]/);
    if (codes.every((code) => LANGUAGE.test(code))) fields.installLangs = codes.join(':');
    else {
      refusals.add(
        'inst-langs',
        line,
        `%packages --inst-langs=${JSON.stringify(langs)}: expects language codes separated by ":" (en:de:pt_BR)`,
      );
    }
  }
  const rpmOnly = (['nocore', 'exclude-weakdeps', 'inst-langs', 'multilib'] as const).filter(
    (option) => options[option] !== undefined && options[option] !== false,
  );
  if (kind === 'apt' && rpmOnly.length > 0) {
    notes.push(
      `line ${line}: %packages ${rpmOnly.map((o) => `--${o}`).join(' ')} applies to rpm repositories; ignored`,
    );
  }
  return fields;
}

/** A netmask as a prefix length: `24` or `255.255.255.0` (contiguous ones only). */
function prefixOf(netmask: string): number | undefined {
  if (/^\d{1,2}$/.test(netmask)) return Number(netmask) <= 32 ? Number(netmask) : undefined;
  if (!isIPv4(netmask)) return undefined;
  const bits = netmask
    .split('.')
    .map((octet) => Number(octet).toString(2).padStart(8, '0'))
    .join('');
  return /^1*0*$/.test(bits) ? (bits.indexOf('0') === -1 ? 32 : bits.indexOf('0')) : undefined;
}

const INTERFACE_NAME = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,14}$/;
const MAC_ADDRESS = /^([0-9A-Fa-f]{2}:){5}[0-9A-Fa-f]{2}$/;

/**
 * `network --bootproto=static` lines: an IPv4 address of the interface's own, as Anaconda writes it for the
 * installed system. Every value ends up in a config file of the image, so each must be what it says it is.
 */
function staticNetworksOf(ks: Kickstart, notes: string[], refusals: Refusals): StaticNetwork[] {
  const networks: StaticNetwork[] = [];
  for (const network of commandsOf(ks, 'network')) {
    const { bootproto, ip, netmask, gateway, nameserver, device, ipv6 } = network.options;
    if (bootproto !== 'static') continue;
    const line = network.location.line;
    const refuse = (option: string, value: string | undefined, what: string) =>
      refusals.add(
        'network',
        line,
        `network --${option}${value === undefined ? '' : `=${JSON.stringify(value)}`}: ${what}`,
      );
    if (ip === undefined || !isIPv4(ip)) refuse('ip', ip, 'a static network needs an IPv4 address');
    const prefix = netmask === undefined ? undefined : prefixOf(netmask);
    if (prefix === undefined)
      refuse('netmask', netmask, 'a static network needs a netmask (255.255.255.0 or 24)');
    if (gateway !== undefined && !isIPv4(gateway)) refuse('gateway', gateway, 'not an IPv4 address');
    const servers = nameserver ?? [];
    for (const server of servers) if (!isIP(server)) refuse('nameserver', server, 'not an IP address');
    const named = device === undefined || device === 'link' || device === 'bootif' ? undefined : device;
    if (named !== undefined && !INTERFACE_NAME.test(named) && !MAC_ADDRESS.test(named)) {
      refuse('device', named, 'not an interface name or MAC address');
    }
    if (ipv6 !== undefined)
      notes.push(`line ${line}: network --ipv6 is not applied; IPv6 is configured automatically`);
    if (ip === undefined || !isIPv4(ip) || prefix === undefined) continue;
    networks.push({
      ...(named === undefined
        ? {}
        : { device: MAC_ADDRESS.test(named) ? { mac: named.toLowerCase() } : { name: named } }),
      address: ip,
      prefix,
      ...(gateway === undefined ? {} : { gateway }),
      nameservers: [...servers],
      line,
    });
  }
  return networks;
}

/** What firewalld takes as a service, a PORT[-PORT]:PROTOCOL and an interface; anything else is refused. */
const FIREWALL_VALUES = {
  service: /^[A-Za-z0-9][A-Za-z0-9_.+-]*$/,
  // A port, a range or a service name (firewalld looks it up in the image's /etc/services), then a protocol.
  port: /^(\d{1,5}(-\d{1,5})?|[A-Za-z][A-Za-z0-9_.+-]*):(tcp|udp|sctp|dccp)$/,
  trust: /^[A-Za-z0-9][A-Za-z0-9_.:@-]*$/,
};

/** pykickstart's --ssh, --smtp, --http and --ftp are the firewalld services of those names. */
const FIREWALL_SERVICE_FLAGS = ['ssh', 'smtp', 'http', 'ftp'] as const;

function firewallOf(ks: Kickstart, refusals: Refusals): ImageRecipe['firewall'] {
  const command = commandOf(ks, 'firewall');
  if (!command) return undefined;
  const { options } = command;
  const line = command.location.line;
  const checked = (option: string, values: readonly string[], valid: RegExp) => {
    for (const value of values) {
      if (!valid.test(value))
        refusals.add('firewall', line, `firewall --${option}: "${value}" is not one firewalld takes`);
    }
    return [...values];
  };
  return {
    // pykickstart's --enabled is true unless --disabled: a firewall line asks for a firewall.
    mode: options['use-system-defaults'] ? 'system-defaults' : options.disabled ? 'disabled' : 'enabled',
    services: checked(
      'service',
      [...(options.service ?? []), ...FIREWALL_SERVICE_FLAGS.filter((flag) => options[flag])],
      FIREWALL_VALUES.service,
    ),
    removeServices: checked('remove-service', options['remove-service'] ?? [], FIREWALL_VALUES.service),
    // pykickstart's reading: a port without a protocol is TCP.
    ports: checked(
      'port',
      (options.port ?? []).map((port) => (port.includes(':') ? port : `${port}:tcp`)),
      FIREWALL_VALUES.port,
    ),
    trusts: checked('trust', options.trust ?? [], FIREWALL_VALUES.trust),
    line,
  };
}

/** apt has no comps groups: `@NAME` (and the environment `@^NAME`) means Debian's task package task-NAME. */
function packagesOf(
  ks: Kickstart,
  text: string,
  kind: 'apt' | 'rpm' | undefined,
  notes: string[],
  refusals: Refusals,
): { packages: string[]; excluded: string[] } {
  const apt = kind === 'apt';
  const selection = ks.packages;
  const aptTask = (group: string): string => {
    if (!/^[a-z0-9][a-z0-9.+-]*$/.test(group)) {
      refusals.add(
        'apt-group',
        groupLine(ks, text, group),
        `%packages: group "${group}" has no apt equivalent; IMG maps @NAME to the Debian task package task-NAME`,
      );
    }
    return group.startsWith('task-') ? group : `task-${group}`;
  };
  const groups = [
    ...(selection?.environment ? [selection.environment] : []),
    ...(selection?.groups.map((g) => g.name) ?? []),
  ];
  const grouped = apt ? groups.map(aptTask) : groups.map((g) => `@${g}`);
  if (kind !== undefined) {
    // The host's apt-get or dnf resolves them: an apt pattern (`?true`), a path (`/x.deb`) or a URL (dnf would
    // fetch and install it, past the repositories and their keys) must not pass for a name.
    const names = [
      ...(ks.prepackages ?? []),
      ...(selection?.packages ?? []),
      ...(selection?.excludedPackages ?? []),
    ];
    for (const name of names.filter((name) => !PACKAGE_NAME.test(name))) {
      const line = packageLine(text, ks.packages?.location.line ?? 0, name);
      if (kind === 'apt')
        refusals.add('apt-package-name', line, `%packages: "${name}" is not a Debian package name`);
      else refusals.add('rpm-package-name', line, `%packages: "${name}" is not an rpm package name`);
    }
  }
  for (const [index, group] of groups.entries()) {
    if (apt) notes.push(`%packages: @${group} installs the Debian task package ${grouped[index]}`);
  }
  return {
    packages: [...(ks.prepackages ?? []), ...grouped, ...(selection?.packages ?? [])],
    excluded: [
      ...(selection?.excludedPackages ?? []),
      ...(selection?.excludedGroups.map((g) => (apt ? aptTask(g) : `@${g}`)) ?? []),
    ],
  };
}

/** The line that names a %packages group: the parser keeps one line per section, not per entry. */
function groupLine(ks: Kickstart, text: string, group: string): number {
  return entryLine(text, ks.packages?.location.line ?? 0, `@\\^?${escapeRegExp(group)}`);
}

function packageLine(text: string, start: number, name: string): number {
  return entryLine(text, start, escapeRegExp(name));
}

/** The line of a %packages entry (`-` or not) from `start` on; `start` when it is not found. */
function entryLine(text: string, start: number, entry: string): number {
  const pattern = new RegExp(`^\\s*-?${entry}\\s*(#|$)`);
  const index = text.split('\n').findIndex((line, i) => i >= start && pattern.test(line));
  return index >= 0 ? index + 1 : start;
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

function partitionsOf(
  ks: Kickstart,
  type: ImageType | undefined,
  notes: string[],
  refusals: Refusals,
): Partition[] {
  const partitions: Partition[] = [];
  const lines = new Map<Partition['mountpoint'], number>();
  for (const part of commandsOf(ks, 'part')) {
    const mountpoint = part.args[0]!;
    const line = part.location.line;
    if (mountpoint === 'biosboot') {
      notes.push(`line ${line}: part biosboot: raw disks always get a BIOS boot partition; ignored`);
      continue;
    }
    if (!MOUNTPOINTS.has(mountpoint as Partition['mountpoint'])) {
      refusals.add(
        'part-mountpoint',
        line,
        `part ${mountpoint}: the native builder makes only /, /boot, /boot/efi and swap partitions`,
      );
      continue;
    }
    const requested =
      part.options.fstype ?? (mountpoint === 'swap' ? 'swap' : mountpoint === '/boot/efi' ? 'vfat' : 'ext4');
    const fstype = FS_TYPES[requested];
    if (!fstype) {
      refusals.add(
        'part-fstype',
        line,
        `part ${mountpoint}: --fstype=${requested} is not one of ext4, xfs, btrfs, vfat, swap`,
      );
      continue;
    }
    lines.set(mountpoint as Partition['mountpoint'], line);
    partitions.push({
      mountpoint: mountpoint as Partition['mountpoint'],
      fstype,
      grow: part.options.grow === true,
      ...(part.options.size !== undefined ? { sizeMiB: part.options.size } : {}),
      ...(part.options.label ? { label: part.options.label } : {}),
    });
  }
  if (type && hasLayout(type)) {
    for (const problem of layoutProblems(partitions)) {
      refusals.add('layout-fstype', lines.get(problem.mountpoint) ?? 0, problem.message);
    }
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

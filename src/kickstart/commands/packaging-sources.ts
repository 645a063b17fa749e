/**
 * Where packages and images come from: the base installation source (url, cdrom, harddrive, nfs, hmc, liveimg,
 * and the image-based ostreesetup, ostreecontainer and bootc), the extra repositories (repo), installer updates
 * and module streams.
 *
 * IMG's apt spelling. pykickstart only knows rpm repositories, but IMG's builder also installs Debian-family
 * systems, whose archives need two facts besides a URL: the suite (bookworm) and its components (main, contrib).
 * Instead of a new command, `repo` and `url` take three options of IMG's own (origin 'img'), so that a kickstart
 * still reads as a kickstart and pykickstart's other options (--proxy, --noverifyssl…) keep their meaning:
 *   --suite=NAME          the apt suite; giving one says that the source is an apt archive
 *   --components=A,B      the components to use from the suite (the builder defaults to main)
 *   --type=apt|rpm        an override for when the builder's detection from the repository itself would be wrong
 * An apt archive is addressed by its base URL, so --suite is refused with --mirrorlist and --metalink (rpm-only
 * notions); --components means nothing without a suite, and --suite contradicts --type=rpm. With extensions off,
 * all three are refused like any other non-pykickstart option.
 */
import type { Check } from '../command-spec.ts';
import { defineCommand } from '../command-spec.ts';
import { given, type OptionValue, type OptionValues, opt } from '../options.ts';

/** The base source commands replace each other: pykickstart refuses two, IMG keeps the last with a warning. */
const SOURCE_SLOT = 'installation source';

const MIRROR_OPTIONS = {
  mirrorlist: opt.string({ describe: 'a mirror list URL' }),
  metalink: opt.string({ describe: 'a metalink URL' }),
} as const;

/** How a URL is fetched; pykickstart gives url and repo the same set. */
const TRANSPORT_OPTIONS = {
  proxy: opt.string({ describe: 'a proxy URL' }),
  noverifyssl: opt.flag(),
  sslcacert: opt.string({ describe: 'a CA certificate file' }),
  sslclientcert: opt.string({ describe: 'a client certificate file' }),
  sslclientkey: opt.string({ describe: 'a client key file' }),
} as const;

const APT_OPTIONS = {
  suite: opt.string({ origin: 'img', describe: 'an apt suite such as bookworm' }),
  components: opt.list({
    origin: 'img',
    describe: 'a comma-separated list of components such as main,contrib',
  }),
  type: opt.choice(['apt', 'rpm'], { origin: 'img' }),
} as const;

type AptSource = OptionValues<typeof APT_OPTIONS & typeof MIRROR_OPTIONS>;

function checkAptSource(options: AptSource, check: Check): void {
  if (given(options.components) && !given(options.suite)) {
    check.error('--components needs --suite (components belong to an apt suite)');
  }
  if (!given(options.suite)) return;
  for (const rpmOnly of ['mirrorlist', 'metalink'] as const) {
    if (given(options[rpmOnly])) {
      check.error(`--suite cannot be used with --${rpmOnly}: an apt archive is given by its base URL`);
    }
  }
  if (options.type === 'rpm') {
    check.error('--suite names an apt suite, but --type=rpm says the source is rpm');
  }
}

/** Of these options a source takes exactly one when `required`, else at most one. */
function checkOneOf(
  options: Record<string, OptionValue | undefined>,
  keys: readonly string[],
  check: Check,
  required: boolean,
): void {
  const chosen = keys.filter((key) => given(options[key]));
  const names = keys.map((key) => `--${key}`);
  const list = `${names.slice(0, -1).join(', ')} or ${names.at(-1)}`;
  if (chosen.length === 0 && required) check.error(`expects one of ${list}`);
  if (chosen.length > 1) {
    check.error(`takes only one of ${list}, got ${chosen.map((k) => `--${k}`).join(' and ')}`);
  }
}

export const url = defineCommand({
  name: 'url',
  options: {
    url: opt.string({ describe: 'a URL' }),
    ...MIRROR_OPTIONS,
    ...TRANSPORT_OPTIONS,
    ...APT_OPTIONS,
  },
  slot: SOURCE_SLOT,
  validate(command, check) {
    checkOneOf(command.options, ['url', 'mirrorlist', 'metalink'], check, true);
    checkAptSource(command.options, check);
  },
});

export const repo = defineCommand({
  name: 'repo',
  options: {
    name: opt.string({ required: true, describe: 'a repository name' }),
    baseurl: opt.string({ describe: 'a URL' }),
    ...MIRROR_OPTIONS,
    cost: opt.int({ describe: 'a cost (lower is preferred)' }),
    includepkgs: opt.list(),
    excludepkgs: opt.list(),
    install: opt.flag(),
    ...TRANSPORT_OPTIONS,
    ignoregroups: opt.bool({ removed: 'it only ever affected compose tools' }),
    save: opt.flag({ origin: 'mic' }),
    debuginfo: opt.flag({ origin: 'mic' }),
    source: opt.flag({ origin: 'mic' }),
    disable: opt.flag({ origin: 'mic' }),
    nocache: opt.flag({ origin: 'mic' }),
    gpgkey: opt.string({ origin: 'mic', describe: 'a GPG key URL' }),
    ssl_verify: opt.choice(['yes', 'no'], { origin: 'mic' }),
    priority: opt.int({ origin: 'mic', min: 1, max: 99 }),
    user: opt.string({ origin: 'mic' }),
    passwd: opt.string({ origin: 'mic' }),
    proxyuser: opt.string({ origin: 'mic' }),
    proxypasswd: opt.string({ origin: 'mic' }),
    ...APT_OPTIONS,
  },
  multiple: { key: (c) => c.options.name, what: 'a repository named' },
  validate(command, check) {
    const sources = ['baseurl', 'mirrorlist', 'metalink'] as const;
    checkOneOf(command.options, sources, check, false);
    // pykickstart accepts a bare --name (it enables one of the installer's own repositories); IMG has none.
    if (sources.every((key) => !given(command.options[key]))) {
      check.warning('has no --baseurl, --mirrorlist or --metalink, so it names no repository IMG can use');
    }
    checkAptSource(command.options, check);
  },
});

export const cdrom = defineCommand({ name: 'cdrom', options: {}, slot: SOURCE_SLOT });

export const harddrive = defineCommand({
  name: 'harddrive',
  options: {
    partition: opt.string({ required: true, describe: 'a partition' }),
    dir: opt.string({ required: true, describe: 'a directory' }),
    biospart: opt.string({ removed: 'use --partition' }),
  },
  slot: SOURCE_SLOT,
});

export const nfs = defineCommand({
  name: 'nfs',
  options: {
    server: opt.string({ required: true, describe: 'a host name' }),
    dir: opt.string({ required: true, describe: 'a directory' }),
    opts: opt.string({ describe: 'mount options' }),
  },
  slot: SOURCE_SLOT,
});

export const hmc = defineCommand({ name: 'hmc', options: {}, slot: SOURCE_SLOT });

export const liveimg = defineCommand({
  name: 'liveimg',
  options: {
    url: opt.string({ required: true, describe: 'an image URL' }),
    proxy: TRANSPORT_OPTIONS.proxy,
    noverifyssl: TRANSPORT_OPTIONS.noverifyssl,
    checksum: opt.string({ describe: 'a SHA-256 checksum' }),
  },
  slot: SOURCE_SLOT,
});

/** The three ways to deploy an image-based system replace each other's payload and cannot be combined. */
const IMAGE_PAYLOADS = ['ostreesetup', 'ostreecontainer', 'bootc'] as const;

function otherPayloads(name: (typeof IMAGE_PAYLOADS)[number]) {
  return IMAGE_PAYLOADS.filter((other) => other !== name);
}

export const ostreesetup = defineCommand({
  name: 'ostreesetup',
  options: {
    osname: opt.string({ required: true, describe: 'an OS name' }),
    remote: opt.string(),
    url: opt.string({ required: true, describe: 'a repository URL' }),
    ref: opt.string({ required: true, describe: 'a branch' }),
    nogpg: opt.flag(),
  },
  slot: SOURCE_SLOT,
  conflicts: otherPayloads('ostreesetup'),
  validate(command, check) {
    const { url } = command.options;
    if (url !== undefined && !/^(file|https?):/.test(url))
      check.error(`--url must be a file:, http: or https: URL, got "${url}"`);
  },
});

/** An OSTree native container: the system is deployed from an OCI image. */
export const ostreecontainer = defineCommand({
  name: 'ostreecontainer',
  options: {
    stateroot: opt.string(),
    url: opt.string({ required: true, describe: 'a container image reference' }),
    transport: opt.string({ describe: 'a containers-transports(5) transport' }),
    remote: opt.string(),
    'no-signature-verification': opt.flag(),
  },
  slot: SOURCE_SLOT,
  conflicts: otherPayloads('ostreecontainer'),
});

/** A bootable container deployed with `bootc install`. */
export const bootc = defineCommand({
  name: 'bootc',
  options: {
    stateroot: opt.string(),
    'source-imgref': opt.string({ required: true, describe: 'a container image reference' }),
    'target-imgref': opt.string({ describe: 'a container image reference' }),
    bootloader: opt.string(),
    composefs: opt.flag(),
  },
  slot: SOURCE_SLOT,
});

export const updates = defineCommand({
  name: 'updates',
  args: { min: 1, max: 1, describe: 'the URL of an updates image' },
  options: {},
});

export const module = defineCommand({
  name: 'module',
  options: {
    name: opt.string({ required: true, describe: 'a module name' }),
    stream: opt.string(),
    disable: opt.flag(),
  },
  multiple: {},
  validate(_command, check) {
    // pykickstart's newest syntax dropped it with Fedora's modularity, but RHEL 8 and 9 files carry it.
    check.warning('module streams are gone from current Fedora; kept for RHEL 8 and 9 kickstarts');
  },
});

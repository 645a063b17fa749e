// The sandbox of everything that runs code from the image or touches the image tree: kickstart scripts,
// package managers and their maintainer scripts, configuration commands, and the tools that read the tree
// to pack it. Each runs under bubblewrap in a user namespace of its own (exec.ts: UserNamespace), where
// its root is host uid idBase, so a file it makes on the host belongs to idBase + uid, a host file owned by
// root is "nobody" to it, and its capabilities count only inside the namespace. bubblewrap builds a
// minimal view and pivots into it (a chroot inside lands in the view, not on the host): either the image
// root as `/`, or the host's /usr read-only with a few named folders of the build's work folder. No host
// folder outside the work folder is ever bound writable.
import { lstat, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { type RunOptions, type RunResult, userNamespaceFds } from './exec.ts';
import type { StepContext } from './runner.ts';

/**
 * Host uid and gid of the sandboxes' root, the first of 65536 mapped ids: far above the ranges /etc/subuid
 * hands out (100000 and up, 65536 a user), so no host account owns them.
 */
export const defaultIdBase = 1_000_000_000;

/** The folders of one build's work folder that sandboxes see; workspace.ts makes them. */
export interface SandboxPlaces {
  idBase: number;
  /** The image root, owned by the namespace's root. */
  root: string;
  /** What the host hands in (scripts, apt lists and .debs, signing keys, resolv.conf): read-only inside. */
  inputs: string;
  /** IMG_OUT_DIR of %post --nochroot and %pack; the host takes regular files out of it afterwards. */
  out: string;
  /** Where the packing tools write what the host then uses (filesystem images, the squashfs, tarballs). */
  images: string;
}

/**
 * Capabilities, all of them scoped to the namespace: they act on files whose owner maps into it (the image
 * tree) and never on the host's. None is given unless a kind of command needs it.
 */
export const capabilities = {
  /**
   * Package managers with their maintainer scripts, the configuration commands and kickstart scripts act as
   * the image's root: files of every owner (chown, DAC override, fowner, fsetid), switching users
   * (setuid, setgid: adduser, runuser, apt's _apt), file capabilities (setfcap: ping's cap_net_raw), the
   * chroot of dpkg and rpm (sys_chroot), and signals to what they started (kill). Not CAP_SYS_ADMIN (no
   * mounts: bubblewrap makes every mount they need), not CAP_SYS_RESOURCE (the namespace's limit on
   * nested user namespaces stays 0), not CAP_NET_ADMIN, CAP_MKNOD, CAP_SYS_PTRACE.
   */
  imageAdmin: [
    'CAP_CHOWN',
    'CAP_DAC_OVERRIDE',
    'CAP_FOWNER',
    'CAP_FSETID',
    'CAP_SETUID',
    'CAP_SETGID',
    'CAP_SETFCAP',
    'CAP_SYS_CHROOT',
    'CAP_KILL',
  ],
  /**
   * Tools that read the whole tree to pack or measure it: files of any owner and mode. open_by_handle_at
   * (the "shocker" escape) needs this capability in the host's namespace, so here it opens nothing.
   */
  imageReader: ['CAP_DAC_READ_SEARCH'],
  none: [],
} as const;
export type Capabilities = (typeof capabilities)[keyof typeof capabilities];

export interface Bind {
  path: string;
  writable?: boolean;
}

export interface SandboxOptions {
  caps: Capabilities;
  /** Own network namespace with user-mode networking (no host loopback); otherwise only its own loopback. */
  network?: boolean;
  env?: Record<string, string>;
  hostname?: string;
  /** Files handed in (read-only), at a path of their own inside the view. */
  files?: { from: string; to: string }[];
}

export interface HostViewOptions extends SandboxOptions {
  /** Folders of the work folder, at their own paths. */
  binds: Bind[];
  /** Folders inside the binds seen empty (a tmpfs over them): /boot while the root filesystem is made. */
  hidden?: readonly string[];
  /** Host files and folders of /etc the command needs, read-only. */
  etc?: readonly string[];
  /**
   * A chroot inside the view (the target of mmdebstrap or dnf): bubblewrap gives it a /dev of the usual
   * device nodes and, with `proc`, a /proc, with `sys` the host's /sys read-only (rpm scriptlets look at it,
   * as under Anaconda), since the command cannot mount them itself.
   */
  chroot?: { path: string; proc: boolean; sys?: boolean };
}

type Run = Pick<RunOptions, 'input' | 'stdinFrom' | 'stdoutTo' | 'onLine' | 'okCodes' | 'cwd'>;

/** Devices a chroot's /dev holds (mmdebstrap's list, less the console and the pty multiplexer). */
const chrootDevices = ['null', 'zero', 'full', 'random', 'urandom', 'tty'];

/** The resolv.conf of a sandbox with a network: slirp4netns' DNS forwarder. */
export const sandboxResolvConf = 'resolv.conf';

/** `resolvConfAt`: where the view's /etc/resolv.conf is (a path bubblewrap mounts over), for a network. */
function common(places: SandboxPlaces, options: SandboxOptions, resolvConfAt?: string): string[] {
  const env = {
    PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
    ...options.env,
  };
  return [
    '--unshare-user',
    '--userns-block-fd',
    String(userNamespaceFds.block),
    '--info-fd',
    String(userNamespaceFds.info),
    '--uid',
    '0',
    '--gid',
    '0',
    '--unshare-ipc',
    '--unshare-pid',
    '--unshare-uts',
    '--unshare-net',
    '--unshare-cgroup-try',
    '--hostname',
    options.hostname ?? 'imger-build',
    '--die-with-parent',
    // A new session: a script cannot push keystrokes into the terminal of the build (TIOCSTI).
    '--new-session',
    '--cap-drop',
    'ALL',
    ...options.caps.flatMap((cap) => ['--cap-add', cap]),
    '--clearenv',
    ...Object.entries(env).flatMap(([name, value]) => ['--setenv', name, value]),
    '--proc',
    '/proc',
    '--dev',
    '/dev',
    '--tmpfs',
    '/tmp',
    ...(options.network && resolvConfAt
      ? ['--ro-bind', `${places.inputs}/${sandboxResolvConf}`, resolvConfAt]
      : []),
  ];
}

function handedFiles(options: SandboxOptions): string[] {
  return (options.files ?? []).flatMap((file) => ['--ro-bind', file.from, file.to]);
}

/** bubblewrap's arguments for a command with the image root as its / (a %post, a configuration command). */
function inImageArgs(
  places: SandboxPlaces,
  command: readonly string[],
  options: SandboxOptions,
  resolvConfAt: string | undefined,
): string[] {
  return [
    '--bind',
    places.root,
    '/',
    ...common(places, options, resolvConfAt),
    ...handedFiles(options),
    '--',
    ...command,
  ];
}

/**
 * Where a path of the image leads, resolved as if the image root were `/` (an absolute link and `..` stay
 * inside it), when every folder on the way is a real folder and the end is a regular file or absent:
 * bubblewrap resolves a mount's destination before it pivots, with the host's root at /oldroot, so a link the
 * image planted at a place it mounts over (/etc/resolv.conf -> /oldroot/tmp/x) would make it create a file on
 * the host. undefined when the path leads anywhere else.
 */
export async function resolveInImage(root: string, path: string): Promise<string | undefined> {
  const pending = path.split('/').filter((name) => name !== '' && name !== '.');
  const resolved: string[] = [];
  let links = 0;
  while (pending.length > 0) {
    const name = pending.shift()!;
    if (name === '..') {
      resolved.pop();
      continue;
    }
    const here = join(root, ...resolved, name);
    const info = await lstat(here).catch(() => undefined);
    if (info?.isSymbolicLink()) {
      if (++links > 40) return undefined;
      const target = await readlink(here);
      if (target.startsWith('/')) resolved.length = 0;
      pending.unshift(...target.split('/').filter((part) => part !== '' && part !== '.'));
      continue;
    }
    const fine = pending.length > 0 ? info?.isDirectory() : info === undefined || info.isFile();
    if (!fine) return undefined;
    resolved.push(name);
  }
  return `/${resolved.join('/')}`;
}

/** bubblewrap's arguments for a command on the host's programs, seeing only the given folders. */
export function onHostArgs(
  places: SandboxPlaces,
  command: readonly string[],
  options: HostViewOptions,
): string[] {
  const chroot = options.chroot;
  return [
    '--ro-bind',
    '/usr',
    '/usr',
    ...['bin', 'sbin', 'lib', 'lib64'].flatMap((dir) => ['--symlink', `usr/${dir}`, `/${dir}`]),
    ...(options.etc ?? []).flatMap((path) => ['--ro-bind-try', path, path]),
    ...common(places, options, '/etc/resolv.conf'),
    ...options.binds.flatMap((bind) => [bind.writable ? '--bind' : '--ro-bind', bind.path, bind.path]),
    ...(options.hidden ?? []).flatMap((dir) => ['--tmpfs', dir]),
    ...handedFiles(options),
    ...(chroot?.proc ? ['--proc', `${chroot.path}/proc`] : []),
    ...(chroot?.sys ? ['--ro-bind', '/sys', `${chroot.path}/sys`] : []),
    ...(chroot
      ? [
          '--tmpfs',
          `${chroot.path}/dev`,
          ...chrootDevices.flatMap((dev) => ['--dev-bind', `/dev/${dev}`, `${chroot.path}/dev/${dev}`]),
        ]
      : []),
    '--',
    ...command,
  ];
}

function runSandbox(
  ctx: StepContext,
  places: SandboxPlaces,
  args: string[],
  network: boolean | undefined,
  run: Run,
): Promise<RunResult> {
  return ctx.run('bwrap', args, {
    ...run,
    userNamespace: { idBase: places.idBase, network: network ?? false },
  });
}

/** Runs a command with the image root as its /: the image's own programs, its symlinks resolved inside it. */
export async function inImage(
  ctx: StepContext,
  places: SandboxPlaces,
  command: readonly string[],
  options: SandboxOptions & Run,
): Promise<RunResult> {
  const resolvConfAt = options.network ? await resolveInImage(places.root, '/etc/resolv.conf') : undefined;
  if (options.network && !resolvConfAt) {
    ctx.log(
      "the image's /etc/resolv.conf leads out of the image or to no file: the command runs without DNS",
    );
  }
  return runSandbox(
    ctx,
    places,
    inImageArgs(places, command, options, resolvConfAt),
    options.network,
    options,
  );
}

/** Runs a host program (read-only /usr) that sees only the folders it is given. */
export function onHost(
  ctx: StepContext,
  places: SandboxPlaces,
  command: readonly string[],
  options: HostViewOptions & Run,
): Promise<RunResult> {
  return runSandbox(ctx, places, onHostArgs(places, command, options), options.network, options);
}

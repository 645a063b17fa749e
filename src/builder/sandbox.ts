// Argument lists for bubblewrap, the sandbox of every command that runs inside the image root and of the
// kickstart's scripts (user code). Its own mount namespace means nothing it mounts outlives it.

export interface SandboxOptions {
  network: boolean;
  env: Record<string, string>;
  hostname?: string;
}

/**
 * Capabilities a build script never needs and that would let root in the sandbox reach the host: mounts
 * and namespaces, kernel modules, raw devices and new device nodes, tracing, the network stack, the clock.
 */
const droppedCapabilities = [
  'CAP_SYS_ADMIN',
  'CAP_SYS_MODULE',
  'CAP_SYS_RAWIO',
  'CAP_SYS_BOOT',
  'CAP_SYS_PTRACE',
  'CAP_SYS_TIME',
  'CAP_SYS_CHROOT',
  'CAP_MKNOD',
  'CAP_NET_ADMIN',
  'CAP_SYSLOG',
  'CAP_MAC_ADMIN',
];

function common(options: SandboxOptions): string[] {
  return [
    '--unshare-ipc',
    '--unshare-pid',
    '--unshare-uts',
    '--unshare-cgroup-try',
    ...(options.network ? [] : ['--unshare-net']),
    '--hostname',
    options.hostname ?? 'imger-build',
    '--die-with-parent',
    // A new session: a script cannot push keystrokes into the terminal of the build (TIOCSTI).
    '--new-session',
    ...droppedCapabilities.flatMap((cap) => ['--cap-drop', cap]),
    '--clearenv',
    ...Object.entries({
      PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
      ...options.env,
    }).flatMap(([name, value]) => ['--setenv', name, value]),
    '--proc',
    '/proc',
    '--dev',
    '/dev',
    '--ro-bind',
    '/sys',
    '/sys',
    '--tmpfs',
    '/tmp',
  ];
}

/** Runs a command with the image root as its / (the chroot of %post and of configuration commands). */
export function inRootArgs(
  root: string,
  command: readonly string[],
  options: SandboxOptions,
  extraBinds: readonly string[] = [],
): string[] {
  const dns = options.network ? ['--ro-bind-try', '/etc/resolv.conf', '/etc/resolv.conf'] : [];
  return ['--bind', root, '/', ...common(options), ...dns, ...extraBinds, '--', ...command];
}

/**
 * Runs a command on the host's programs (read-only /usr) seeing only the given folders, at their own paths:
 * the image root and, for %pack and --nochroot, the output folder. The host's /etc is not there, apart from
 * what programs need to run.
 */
export function onHostArgs(
  writable: readonly string[],
  command: readonly string[],
  options: SandboxOptions,
  extraBinds: readonly string[] = [],
): string[] {
  return [
    '--ro-bind',
    '/usr',
    '/usr',
    '--symlink',
    'usr/bin',
    '/bin',
    '--symlink',
    'usr/sbin',
    '/sbin',
    '--symlink',
    'usr/lib',
    '/lib',
    '--symlink',
    'usr/lib64',
    '/lib64',
    '--ro-bind-try',
    '/etc/alternatives',
    '/etc/alternatives',
    '--ro-bind-try',
    '/etc/passwd',
    '/etc/passwd',
    '--ro-bind-try',
    '/etc/group',
    '/etc/group',
    ...common(options),
    ...(options.network ? ['--ro-bind-try', '/etc/resolv.conf', '/etc/resolv.conf'] : []),
    ...writable.flatMap((dir) => ['--bind', dir, dir]),
    ...extraBinds,
    '--',
    ...command,
  ];
}

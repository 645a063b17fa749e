// The one place in the builder that starts external programs. Every child gets its own process group so
// that cancel and timeout can kill the whole tree it forks (mmdebstrap → apt → dpkg → maintainer scripts).
// A sandboxed command (bubblewrap) can also be started in a user namespace of its own, whose ids this
// process maps onto an unprivileged host range before the sandbox may go on (see UserNamespace).
import { type ChildProcess, type StdioOptions, spawn } from 'node:child_process';
import { constants, type FileHandle, open, writeFile } from 'node:fs/promises';
import { networkInterfaces } from 'node:os';
import type { Readable, Writable } from 'node:stream';
import { CommandFailed, type StopReason } from './command-failed.ts';
import { lineSplitter } from './line-splitter.ts';
import type { StepName } from './steps.ts';

/**
 * bubblewrap's `--userns-block-fd` and `--info-fd`: the sandbox waits on the first until its user namespace
 * is set up, and reports its process on the second. The sandbox's argument list names them (sandbox.ts).
 */
export const userNamespaceFds = { block: 3, info: 4 } as const;

/**
 * The most processes the sandboxes may have: RLIMIT_NPROC counts per host uid, and every sandbox runs as
 * idBase, so this bounds them all together, far below the host's pid_max (32768 on many machines) that a
 * fork bomb in a %post would otherwise exhaust for the whole host.
 */
export const sandboxProcessLimit = 4096;

/** How many ids the namespace maps: 0 (root) to 65535, the ids a Debian or Fedora image uses. */
const userNamespaceIds = 65536;

/**
 * A sandbox in a user namespace of its own. bubblewrap starts as host uid/gid `idBase` (unprivileged: the
 * map must contain its own id), reports its child on the info fd, and waits; this process, host root,
 * writes the maps `0 idBase 65536`, forbids new user namespaces inside (user.max_user_namespaces = 0 in
 * the namespace: nested namespaces would give back CAP_SYS_ADMIN and a larger kernel surface), gives it a
 * network when asked, and lets it go.
 */
export interface UserNamespace {
  idBase: number;
  /**
   * User-mode networking (slirp4netns) in the sandbox's own network namespace, with the host's loopback
   * out of reach; otherwise the sandbox has only a loopback of its own.
   */
  network: boolean;
}

export interface RunOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Text written to the child's stdin, which is otherwise closed. */
  input?: string;
  /** A file this process opens (never following a symlink) as the child's stdin. */
  stdinFrom?: string;
  /**
   * A new file this process creates (exclusively, never following a symlink) as the child's stdout: a
   * sandboxed command writes a host file it could not open itself. Its output is then not collected.
   */
  stdoutTo?: string;
  /** Run the command (bubblewrap) in a user namespace of its own; see UserNamespace. */
  userNamespace?: UserNamespace;
  signal?: AbortSignal;
  timeoutMs?: number;
  /** Called for each complete output line, as it arrives. */
  onLine?: (line: string, stream: 'stdout' | 'stderr') => void;
  /** The build step this command belongs to, carried by CommandFailed. */
  step?: StepName;
  /** Time between SIGTERM and SIGKILL when the command is stopped. */
  killGraceMs?: number;
  /** Exit codes that count as success. */
  okCodes?: readonly number[];
  /**
   * What the command's group gets when this process exits while it runs: SIGKILL by default; SIGTERM for a
   * command that cleans up after itself when told to stop (a build child, whose work would otherwise stay).
   */
  exitSignal?: 'SIGKILL' | 'SIGTERM';
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
  ms: number;
}

const outputLimit = 8 * 1024 * 1024;

/**
 * Process groups still running, with the signal they get on exit. Children live in groups of their own, so
 * they would outlive a Node process that exits while they run (a test runner that ends, an uncaught error).
 */
const liveGroups = new Map<number, NodeJS.Signals>();
let groupsKilledOnExit = false;

/**
 * Registers a group; the exit hook is installed with the first, not on import: this module is reached from
 * code the web page loads too (the contract's image types and arches, through failures.ts), where there is no
 * `process`.
 */
function trackGroup(pid: number, signal: NodeJS.Signals): void {
  liveGroups.set(pid, signal);
  if (groupsKilledOnExit) return;
  groupsKilledOnExit = true;
  process.once('exit', () => {
    for (const [group, exitSignal] of liveGroups) {
      try {
        process.kill(-group, exitSignal);
      } catch {
        // Already gone.
      }
    }
  });
}

export async function run(
  cmd: string,
  args: readonly string[],
  options: RunOptions = {},
): Promise<RunResult> {
  if (options.signal?.aborted) {
    throw new CommandFailed(cmd, args, 'aborted', null, '', '', options.step, options.signal.reason);
  }
  const files: FileHandle[] = [];
  try {
    if (options.stdinFrom)
      files.push(await open(options.stdinFrom, constants.O_RDONLY | constants.O_NOFOLLOW));
    const stdinFd = options.stdinFrom ? files.at(-1)!.fd : undefined;
    if (options.stdoutTo) {
      const flags = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;
      files.push(await open(options.stdoutTo, flags, 0o644));
    }
    const stdoutFd = options.stdoutTo ? files.at(-1)!.fd : undefined;
    return await runChild(cmd, args, options, stdinFd, stdoutFd);
  } catch (error) {
    if (error instanceof CommandFailed) throw error;
    throw new CommandFailed(cmd, args, 'spawn-error', null, '', String(error), options.step);
  } finally {
    for (const file of files) await file.close();
  }
}

function runChild(
  cmd: string,
  args: readonly string[],
  options: RunOptions,
  stdinFd: number | undefined,
  stdoutFd: number | undefined,
): Promise<RunResult> {
  const started = performance.now();
  const okCodes = options.okCodes ?? [0];
  const userns = options.userNamespace;
  return new Promise((resolve, reject) => {
    const stdio: StdioOptions = [
      stdinFd ?? (options.input === undefined ? 'ignore' : 'pipe'),
      stdoutFd ?? 'pipe',
      'pipe',
      ...(userns ? (['pipe', 'pipe'] as const) : []),
    ];
    // prlimit sets the process limit on itself, then execs bubblewrap with it: neither soft nor hard
    // limit can be raised inside (no CAP_SYS_RESOURCE).
    const [file, argv] = userns
      ? ['prlimit', [`--nproc=${sandboxProcessLimit}`, '--', cmd, ...args]]
      : [cmd, args];
    const child = spawn(file, argv, {
      cwd: options.cwd ?? (userns ? '/' : undefined),
      env: options.env ?? process.env,
      detached: true,
      stdio,
      ...(userns ? { uid: userns.idBase, gid: userns.idBase } : {}),
    });
    if (child.pid !== undefined) trackGroup(child.pid, options.exitSignal ?? 'SIGKILL');
    let stopReason: StopReason = 'exit';
    let killTimer: NodeJS.Timeout | undefined;
    const output = { stdout: '', stderr: '' };
    const lines = {
      stdout: lineSplitter((line) => options.onLine?.(line, 'stdout')),
      stderr: lineSplitter((line) => options.onLine?.(line, 'stderr')),
    };

    const killGroup = (signal: NodeJS.Signals): void => {
      if (child.pid === undefined) return;
      try {
        process.kill(-child.pid, signal);
      } catch {
        // ESRCH: the group is already gone.
      }
    };
    const stop = (reason: StopReason): void => {
      if (stopReason !== 'exit') return;
      stopReason = reason;
      killGroup('SIGTERM');
      killTimer = setTimeout(() => killGroup('SIGKILL'), options.killGraceMs ?? 5000);
    };
    const onAbort = (): void => stop('aborted');
    options.signal?.addEventListener('abort', onAbort, { once: true });
    const timeout =
      options.timeoutMs === undefined ? undefined : setTimeout(() => stop('timeout'), options.timeoutMs);

    const collect = (stream: 'stdout' | 'stderr') => (chunk: Buffer) => {
      const text = chunk.toString('utf8');
      if (output[stream].length < outputLimit) output[stream] += text;
      if (options.onLine) lines[stream].push(text);
    };
    child.stdout?.on('data', collect('stdout'));
    child.stderr?.on('data', collect('stderr'));
    if (options.input !== undefined) {
      // A child that exits without reading its stdin must not turn into an EPIPE crash.
      child.stdin?.on('error', () => {});
      child.stdin?.end(options.input);
    }
    let network: ChildProcess | undefined;
    let closed = false;
    if (userns) {
      releaseIntoNamespace(child, userns, options.signal).then(
        (started) => {
          network = started;
          // A sandbox killed while its network came up has closed already: the helper goes now.
          if (closed && network) stopNetwork(network);
        },
        (error: Error) => {
          output.stderr += `the sandbox's user namespace could not be set up: ${error.message}\n`;
          stop('spawn-error');
        },
      );
    }

    // Whatever the leader leaves behind in its group (daemons, stuck grandchildren) goes with it.
    child.on('exit', () => killGroup('SIGKILL'));
    child.on('error', (error) => {
      output.stderr += String(error.message);
      stopReason = 'spawn-error';
    });
    child.on('close', (code) => {
      closed = true;
      if (child.pid !== undefined) liveGroups.delete(child.pid);
      if (network) stopNetwork(network);
      clearTimeout(timeout);
      clearTimeout(killTimer);
      options.signal?.removeEventListener('abort', onAbort);
      lines.stdout.end();
      lines.stderr.end();
      const ms = Math.round(performance.now() - started);
      if (stopReason === 'exit' && code !== null && okCodes.includes(code)) {
        resolve({ code, stdout: output.stdout, stderr: output.stderr, ms });
        return;
      }
      const abortReason = stopReason === 'aborted' ? options.signal?.reason : undefined;
      reject(
        new CommandFailed(
          cmd,
          args,
          stopReason,
          code,
          output.stdout,
          output.stderr,
          options.step,
          abortReason,
        ),
      );
    });
  });
}

/**
 * The sandbox's first process, as bubblewrap reports it on the info fd: `{"child-pid": N}`; undefined when
 * bubblewrap ends before (its own error then says why, with its exit code).
 */
function sandboxPid(info: Readable): Promise<number | undefined> {
  return new Promise((resolve) => {
    let text = '';
    const onData = (chunk: Buffer): void => {
      text += chunk.toString('utf8');
      const pid = /"child-pid"\s*:\s*(\d+)/.exec(text)?.[1];
      if (pid === undefined) return;
      info.off('data', onData);
      resolve(Number(pid));
    };
    info.on('data', onData);
    info.once('end', () => resolve(undefined));
    info.once('error', () => resolve(undefined));
  });
}

/**
 * The handshake of a sandbox in its own user namespace; resolves with the network helper it started, if
 * any. The sandbox runs nothing of its command before the last step writes to the block fd.
 */
async function releaseIntoNamespace(
  child: ChildProcess,
  userns: UserNamespace,
  signal: AbortSignal | undefined,
): Promise<ChildProcess | undefined> {
  const block = child.stdio[userNamespaceFds.block] as Writable;
  const info = child.stdio[userNamespaceFds.info] as Readable;
  block.on('error', () => {});
  const pid = await sandboxPid(info);
  if (pid === undefined) return undefined;
  const map = `0 ${userns.idBase} ${userNamespaceIds}\n`;
  await writeFile(`/proc/${pid}/uid_map`, map);
  await writeFile(`/proc/${pid}/gid_map`, map);
  // The limit is the namespace's own; writing it needs CAP_SYS_RESOURCE there, which no sandbox is given.
  await run(
    'nsenter',
    [`--user=/proc/${pid}/ns/user`, 'sh', '-c', 'echo 0 > /proc/sys/user/max_user_namespaces'],
    {
      ...(signal ? { signal } : {}),
    },
  );
  const network = userns.network ? await startNetwork(pid, signal) : undefined;
  block.end('go');
  return network;
}

/** The addresses slirp4netns serves (its defaults): the gateway, the DNS forwarder, the guest's address. */
export const userNetwork = { gateway: '10.0.2.2', dns: '10.0.2.3', address: '10.0.2.100/24' } as const;

/**
 * Where a sandbox's connections must not go, though slirp4netns would carry them: link-local addresses (the
 * cloud metadata service at 169.254.169.254 hands out the machine's credentials) and the build host's own
 * addresses, where services listening on all interfaces would answer as they do on its loopback. Routes of
 * type prohibit, set by this process; the sandbox has no CAP_NET_ADMIN to remove them.
 */
function unreachableFromSandbox(): string[] {
  const hostAddresses = Object.values(networkInterfaces())
    .flat()
    .filter((a) => a !== undefined && a.family === 'IPv4' && !a.internal)
    .map((a) => `${a!.address}/32`);
  return ['169.254.0.0/16', ...new Set(hostAddresses)];
}

/**
 * slirp4netns for the sandbox's network namespace: outgoing connections through this host, but never to
 * its loopback (--disable-host-loopback), so a package script cannot reach a service that listens only on
 * 127.0.0.1 (the database, the broker, IMG's own API). It only creates the tap device: the addresses are set
 * here, because its --configure would also bring up the loopback that bubblewrap sets up itself.
 */
async function startNetwork(pid: number, signal: AbortSignal | undefined): Promise<ChildProcess> {
  const slirp = spawn(
    'slirp4netns',
    [
      '--mtu=65520',
      '--disable-host-loopback',
      '--enable-sandbox',
      '--enable-seccomp',
      '--ready-fd=3',
      '--exit-fd=4',
      String(pid),
      'tap0',
    ],
    { detached: true, stdio: ['ignore', 'ignore', 'pipe', 'pipe', 'pipe'] },
  );
  if (slirp.pid !== undefined) trackGroup(slirp.pid, 'SIGKILL');
  (slirp.stdio[4] as Writable).on('error', () => {});
  let stderr = '';
  slirp.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  try {
    await new Promise<void>((resolve, reject) => {
      (slirp.stdio[3] as Readable).once('data', () => resolve());
      slirp.once('error', reject);
      slirp.once('exit', (code) => reject(new Error(`slirp4netns exited with ${code}: ${stderr.trim()}`)));
    });
    const setup = [
      'link set tap0 mtu 65520',
      `addr add ${userNetwork.address} dev tap0`,
      'link set tap0 up',
      `route add default via ${userNetwork.gateway}`,
      ...unreachableFromSandbox().map((prefix) => `route add prohibit ${prefix}`),
      '',
    ].join('\n');
    await run('nsenter', [`--net=/proc/${pid}/ns/net`, 'ip', '-batch', '-'], {
      input: setup,
      ...(signal ? { signal } : {}),
    });
    return slirp;
  } catch (error) {
    stopNetwork(slirp);
    throw error;
  }
}

function stopNetwork(slirp: ChildProcess): void {
  // Closing its exit fd ends it; the kill covers a slirp4netns stuck before it reads it.
  (slirp.stdio[4] as Writable).end();
  if (slirp.pid === undefined) return;
  liveGroups.delete(slirp.pid);
  try {
    process.kill(-slirp.pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
}

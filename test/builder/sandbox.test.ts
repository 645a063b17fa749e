// The sandbox itself, without a build: its user namespace (ids, capabilities, no nested namespaces), its
// network (none, or user-mode networking without the host's loopback), and stopping it.
import assert from 'node:assert/strict';
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import type { RunResult } from '../../src/builder/exec.ts';
import { run, sandboxProcessLimit } from '../../src/builder/exec.ts';
import { BuildFailure } from '../../src/builder/failures.ts';
import { packImageRoot } from '../../src/builder/pack-root.ts';
import { copyAttachments, copyOutOfImage, kernelVersions } from '../../src/builder/records.ts';
import type { StepContext } from '../../src/builder/runner.ts';
import { runSteps } from '../../src/builder/runner.ts';
import { capabilities, defaultIdBase, inImage, onHost, resolveInImage } from '../../src/builder/sandbox.ts';
import { prepareSandboxPlaces } from '../../src/builder/workspace.ts';

const dir = await mkdtemp(join(tmpdir(), 'imger-sandbox-'));
after(() => rm(dir, { recursive: true, force: true }));
await chmod(dir, 0o755);
await mkdir(join(dir, 'work'));
// A range of its own, so the builds other test files run at the same time are not counted as this one's.
const idBase = defaultIdBase + 16 * 65536;
const places = await prepareSandboxPlaces(join(dir, 'work'), idBase);
// A file the host's root owns, in the image root.
await writeFile(join(places.root, 'host-owned'), 'the host root made this\n');

/** Runs `work` as a build step would, with a step context. */
async function inStep<T>(work: (ctx: StepContext) => Promise<T>, signal?: AbortSignal): Promise<T> {
  let result: T | undefined;
  await runSteps(
    [
      {
        name: 'scripts',
        timeoutMs: 60_000,
        run: async (ctx) => {
          result = await work(ctx);
        },
      },
    ],
    {},
    { deadlineMs: 60_000, ...(signal ? { signal } : {}) },
  );
  return result as T;
}

function shell(script: string, options: { network?: boolean; caps?: typeof capabilities.imageAdmin } = {}) {
  return inStep<RunResult>((ctx) =>
    onHost(ctx, places, ['sh', '-c', script], {
      binds: [{ path: places.root, writable: true }],
      caps: options.caps ?? capabilities.none,
      ...(options.network ? { network: true } : {}),
      onLine: () => {},
      okCodes: [0, 1, 2],
    }),
  );
}

describe('the user namespace', () => {
  test('root inside is the host uid idBase; the host root is nobody; ids map one to one', async () => {
    const { stdout } = await shell(
      `id -u; stat -c %u ${places.root}/host-owned; touch ${places.root}/made; chown 1000:1000 ${places.root}/made && echo chowned`,
      { caps: capabilities.imageAdmin },
    );
    assert.deepEqual(stdout.trim().split('\n'), ['0', '65534', 'chowned']);
    assert.equal((await stat(join(places.root, 'made'))).uid, idBase + 1000);
  });

  test('capabilities are none unless given, and never more than the namespace', async () => {
    const none = await shell('grep CapEff /proc/self/status');
    assert.match(none.stdout, /CapEff:\s+0000000000000000/);
    const admin = await shell(
      `grep CapEff /proc/self/status; echo x > ${places.root}/host-owned && echo wrote-host-file`,
      { caps: capabilities.imageAdmin },
    );
    assert.doesNotMatch(admin.stdout, /CapEff:\s+0000000000000000/);
    // DAC override counts only for files whose owner maps into the namespace.
    assert.doesNotMatch(admin.stdout, /wrote-host-file/);
    assert.equal(await readFile(join(places.root, 'host-owned'), 'utf8'), 'the host root made this\n');
  });

  test('no nested user namespace, and the limit cannot be raised', async () => {
    const { stdout } = await shell(
      'unshare -U true && echo nested-userns; echo 100 > /proc/sys/user/max_user_namespaces && echo raised; cat /proc/sys/user/max_user_namespaces',
      { caps: capabilities.imageAdmin },
    );
    assert.equal(stdout.trim(), '0');
  });
});

test("a fork bomb is bounded: the sandbox's processes cannot take the host's process ids", async () => {
  // pid_max is 32768 on many hosts; an unbounded `:(){ :|:& };:` in a %post leaves the host unable to fork.
  // dash's ulimit: -p is the number of processes.
  const { stdout } = await shell('ulimit -p; ulimit -H -p; ulimit -p unlimited && echo raised', {
    caps: capabilities.imageAdmin,
  });
  const [soft, hard, raised] = stdout.trim().split('\n');
  assert.ok(Number(soft) <= sandboxProcessLimit && Number(hard) <= sandboxProcessLimit, stdout);
  assert.equal(raised, undefined, 'the limit cannot be raised inside');
});

test('packed in the namespace, the image keeps its own owners, setuid bits and file capabilities', async () => {
  await shell(
    `cd ${places.root} && touch capped setuid user && setcap cap_net_raw+ep capped && chmod 4755 setuid && chown 1000:1000 user`,
    { caps: capabilities.imageAdmin },
  );
  const tarball = join(dir, 'root.tar.zst');
  await inStep((ctx) => packImageRoot(ctx, places, tarball, 'tar.zst'));
  const unpacked = await mkdtemp(join(dir, 'unpacked-'));
  await run('tar', [
    '--xattrs',
    '--xattrs-include=*',
    '--numeric-owner',
    '-I',
    'zstd',
    '-C',
    unpacked,
    '-xf',
    tarball,
  ]);
  assert.match((await run('getcap', [join(unpacked, 'capped')])).stdout, /cap_net_raw=ep/);
  const setuid = await stat(join(unpacked, 'setuid'));
  assert.equal(setuid.mode & 0o7777, 0o4755);
  assert.equal(setuid.uid, 0);
  assert.equal((await stat(join(unpacked, 'user'))).uid, 1000);
  assert.equal((await stat(tarball)).uid, 0, 'the tarball belongs to the host root');
});

test('what comes out of the image is read inside it: a planted link is refused, not followed', async () => {
  const secret = join(dir, 'host-secret');
  await writeFile(secret, 'host secret\n', { mode: 0o600 });
  // A shell and cat for the image: busybox, as root of the namespace made them.
  await shell(
    [
      `mkdir -p ${places.root}/bin ${places.root}/boot ${places.root}/etc`,
      `cp /bin/busybox ${places.root}/bin/sh && ln -sf sh ${places.root}/bin/cat`,
      `echo image-shadow > ${places.root}/etc/shadow`,
      `echo kernel > ${places.root}/boot/vmlinuz-6.1.0-1-amd64`,
      `ln -sf ${secret} ${places.root}/boot/vmlinuz-9.9.9-host`,
      `ln -sf /etc/shadow ${places.root}/boot/vmlinuz-9.9.9-image`,
      `echo x > '${places.root}/boot/vmlinuz-$(reboot)'`,
    ].join(' && '),
    { caps: capabilities.imageAdmin },
  );
  assert.deepEqual(await inStep((ctx) => kernelVersions(ctx, places)), ['6.1.0-1-amd64']);
  const copy = (name: string) =>
    inStep((ctx) => copyOutOfImage(ctx, places, `/boot/${name}`, join(dir, `copied-${name}`)));
  await copy('vmlinuz-6.1.0-1-amd64');
  assert.equal(await readFile(join(dir, 'copied-vmlinuz-6.1.0-1-amd64'), 'utf8'), 'kernel\n');
  for (const planted of ['vmlinuz-9.9.9-host', 'vmlinuz-9.9.9-image']) {
    await assert.rejects(copy(planted));
    await assert.rejects(stat(join(dir, `copied-${planted}`)), { code: 'ENOENT' });
  }
  // A name that would forge a SHA256SUMS line or a log line is not attached.
  await writeFile(join(places.root, 'boot', 'vmlinuz-cr\r'), 'x');
  const attached = await mkdtemp(join(dir, 'attached-'));
  const names = await inStep((ctx) => copyAttachments(ctx, places, ['/boot/vmlinuz-*'], attached));
  assert.deepEqual(names.sort(), ['vmlinuz-$(reboot)', 'vmlinuz-6.1.0-1-amd64']);
});

describe('the network', () => {
  test('without one, only its own loopback; with one, the internet by name but not the host loopback', async () => {
    let connections = 0;
    const listener = createServer((socket) => {
      connections += 1;
      socket.destroy();
    });
    await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
    after(() => listener.close());
    const port = (listener.address() as { port: number }).port;
    const probe = `for h in 127.0.0.1 10.0.2.2; do perl -MIO::Socket::INET -e 'IO::Socket::INET->new(PeerAddr => "$ARGV[0]:${port}", Timeout => 3) ? print "reached $ARGV[0]\\n" : print "no $ARGV[0]: $!\\n"' $h; done`;
    const offline = await shell(`${probe}; getent hosts deb.debian.org || echo no-dns`);
    assert.match(offline.stdout, /no 127\.0\.0\.1: Connection refused/);
    assert.match(offline.stdout, /no 10\.0\.2\.2: Network is unreachable/);
    assert.match(offline.stdout, /no-dns/);
    const online = await shell(`${probe}; getent hosts deb.debian.org && echo dns-ok`, { network: true });
    assert.doesNotMatch(online.stdout, /reached/);
    assert.match(online.stdout, /dns-ok/);
    assert.equal(connections, 0);
  });

  test("with one, neither the host's other addresses nor link-local ones (the cloud metadata service)", async (t) => {
    const hostAddress = Object.values(networkInterfaces())
      .flat()
      .find((a) => a !== undefined && a.family === 'IPv4' && !a.internal)?.address;
    if (!hostAddress) return t.skip('this machine has no IPv4 address but its loopback');
    let connections = 0;
    const listener = createServer((socket) => {
      connections += 1;
      socket.destroy();
    });
    await new Promise<void>((resolve) => listener.listen(0, hostAddress, resolve));
    after(() => listener.close());
    const port = (listener.address() as { port: number }).port;
    const probe = `for h in ${hostAddress} 169.254.169.254; do perl -MIO::Socket::INET -e 'IO::Socket::INET->new(PeerAddr => "$ARGV[0]:${port}", Timeout => 3) ? print "reached $ARGV[0]\\n" : print "no $ARGV[0]: $!\\n"' $h; done; ip route`;
    const online = await shell(probe, { network: true });
    assert.match(
      online.stdout,
      new RegExp(
        `no ${hostAddress.replaceAll('.', '\\.')}: (Permission denied|Network is unreachable|No route to host)`,
      ),
    );
    assert.match(
      online.stdout,
      /no 169\.254\.169\.254: (Permission denied|Network is unreachable|No route to host)/,
    );
    assert.equal(connections, 0);
  });
});

test("a link at a place the sandbox mounts over (the image's /etc/resolv.conf) leads nowhere outside the image", async () => {
  const work = await mkdtemp(join(dir, 'links-'));
  await chmod(work, 0o755);
  await mkdir(join(work, 'work'));
  const own = await prepareSandboxPlaces(join(work, 'work'), idBase);
  // A folder the sandbox's uid may write on the host, as /tmp is.
  const open = join(work, 'world-writable');
  await mkdir(open);
  await chmod(open, 0o1777);
  await inStep((ctx) =>
    onHost(
      ctx,
      own,
      [
        'sh',
        '-ec',
        `mkdir -p $1/bin $1/etc && cp /bin/busybox $1/bin/sh && ln -s /oldroot${open}/planted $1/etc/resolv.conf`,
        'sh',
        own.root,
      ],
      { binds: [{ path: own.root, writable: true }], caps: capabilities.imageAdmin },
    ),
  );
  const { stdout } = await inStep((ctx) =>
    inImage(ctx, own, ['sh', '-c', 'echo ran'], { caps: capabilities.none, network: true, onLine: () => {} }),
  );
  assert.equal(stdout, 'ran\n');
  assert.deepEqual(await readdir(open), [], 'nothing was made on the host through the link');
});

test('resolveInImage: links resolve inside the image; a folder that is a link to nowhere, or a non-file end, leads nowhere', async () => {
  const root = await mkdtemp(join(dir, 'resolve-'));
  await mkdir(join(root, 'etc'));
  await mkdir(join(root, 'run'));
  await writeFile(join(root, 'run/stub'), '');
  await mkdir(join(root, 'run/dir'));
  assert.equal(await resolveInImage(root, '/etc/resolv.conf'), '/etc/resolv.conf');
  await symlink('../run/stub', join(root, 'etc/resolv.conf'));
  assert.equal(await resolveInImage(root, '/etc/resolv.conf'), '/run/stub');
  await rm(join(root, 'etc/resolv.conf'));
  await symlink('/../../../run/stub', join(root, 'etc/resolv.conf'));
  assert.equal(await resolveInImage(root, '/etc/resolv.conf'), '/run/stub');
  await rm(join(root, 'etc/resolv.conf'));
  await symlink('/run/dir', join(root, 'etc/resolv.conf'));
  assert.equal(await resolveInImage(root, '/etc/resolv.conf'), undefined);
  await rm(join(root, 'etc/resolv.conf'));
  await symlink('/oldroot/tmp/x', join(root, 'etc/resolv.conf'));
  assert.equal(await resolveInImage(root, '/etc/resolv.conf'), undefined);
  await rm(join(root, 'etc/resolv.conf'));
  await symlink('loop', join(root, 'etc/resolv.conf'));
  await symlink('resolv.conf', join(root, 'etc/loop'));
  assert.equal(await resolveInImage(root, '/etc/resolv.conf'), undefined);
});

describe('stopping', () => {
  test('cancel kills everything in the sandbox, and its network helper', async () => {
    const controller = new AbortController();
    const started = inStep(
      (ctx) =>
        onHost(ctx, places, ['sh', '-c', 'sleep 300 & sleep 300 & echo started; wait'], {
          binds: [],
          caps: capabilities.none,
          network: true,
          onLine: (line) => line === 'started' && controller.abort(new Error('test cancel')),
        }),
      controller.signal,
    );
    const error = await started.catch((e) => e);
    assert.ok(error instanceof BuildFailure);
    assert.equal(error.kind, 'cancelled');
    // Nothing runs as the sandbox's uid any more, and no slirp4netns is left.
    const end = Date.now() + 10_000;
    for (;;) {
      const left: string[] = [];
      for (const pid of (await readdir('/proc')).filter((p) => /^\d+$/.test(p))) {
        const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
        const uid = /^Uid:\s+(\d+)/m.exec(status)?.[1];
        const name = /^Name:\s+(\S+)/m.exec(status)?.[1];
        const parent = /^PPid:\s+(\d+)/m.exec(status)?.[1];
        const ours = name === 'slirp4netns' && parent === String(process.pid);
        if (uid === String(idBase) || ours) left.push(`${pid} ${name}`);
      }
      if (left.length === 0) break;
      assert.ok(Date.now() < end, `left running: ${left.join(', ')}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  });

  test('a file written for the host is created new, never through a link', async () => {
    const target = join(dir, 'target');
    await writeFile(target, 'kept\n');
    const link = join(places.out, 'link');
    await symlink(target, link);
    const error = await inStep((ctx) =>
      onHost(ctx, places, ['echo', 'overwritten'], { binds: [], caps: capabilities.none, stdoutTo: link }),
    ).catch((e) => e);
    assert.ok(error instanceof BuildFailure);
    assert.equal(await readFile(target, 'utf8'), 'kept\n');
  });
});

test('a work folder the sandbox cannot reach is refused with the folder that blocks it', async () => {
  const closed = await mkdtemp(join(dir, 'closed-'));
  await chmod(closed, 0o700);
  await mkdir(join(closed, 'work'));
  const error = await prepareSandboxPlaces(join(closed, 'work'), idBase).catch((e) => e);
  assert.ok(error instanceof BuildFailure);
  assert.match(error.message, new RegExp(`${closed} is not world-traversable`));
});

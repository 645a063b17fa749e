// configureRoot against a fake image: a folder standing for the image root, and a record of the commands meant
// to run inside it. Fast, and no root filesystem needed; the real ImageAccess (the sandbox) is exercised by the
// image builds and the sandbox escape tests.
import assert from 'node:assert/strict';
import { access, mkdir, mkdtemp, readFile, readlink, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, test } from 'node:test';
import { CommandFailed } from '../../src/builder/command-failed.ts';
import {
  configureRoot,
  type ImageAccess,
  type ImageFamily,
  type PendingServices,
  servicesMadeByScripts,
} from '../../src/builder/configure.ts';
import { BuildFailure } from '../../src/builder/failures.ts';
import { planLayout } from '../../src/builder/layout.ts';
import { baseRecipe, type ImageRecipe } from '../../src/builder/recipe.ts';
import { runSteps } from '../../src/builder/runner.ts';

const dirs: string[] = [];
after(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

async function fakeRoot(): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'imger-configure-'));
  dirs.push(root);
  await mkdir(join(root, 'etc'), { recursive: true });
  await mkdir(join(root, 'usr/bin'), { recursive: true });
  await mkdir(join(root, 'usr/share/zoneinfo/Europe'), { recursive: true });
  await writeFile(join(root, 'usr/share/zoneinfo/Europe/Berlin'), '');
  await writeFile(join(root, 'usr/bin/systemctl'), '');
  await mkdir(join(root, 'usr/lib/systemd/system'), { recursive: true });
  for (const unit of ['ssh.service', 'cron.service', 'getty@.service']) {
    await writeFile(join(root, 'usr/lib/systemd/system', unit), '');
  }
  await writeFile(join(root, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/bash\n');
  await writeFile(join(root, 'etc/group'), 'root:x:0:\nsudo:x:27:\n');
  return root;
}

interface Call {
  command: string[];
  input?: string;
}

/** The image as a folder: files written into it, commands recorded, the ones matching `failing` refused. */
function fakeImage(root: string, calls: Call[], failing?: RegExp): ImageAccess {
  const inside = (path: string) => join(root, path);
  return {
    async run(command, input) {
      calls.push({ command: [...command], ...(input === undefined ? {} : { input }) });
      if (failing?.test(command.join(' '))) {
        throw new CommandFailed(
          'bwrap',
          [],
          'exit',
          1,
          '',
          'Failed to enable unit: Unit file nope.service does not exist.',
          'configure',
        );
      }
      return { stdout: '' };
    },
    async write(files) {
      for (const file of files) {
        await mkdir(dirname(inside(file.path)), { recursive: true });
        await rm(inside(file.path), { force: true });
        if ('symlinkTo' in file) await symlink(file.symlinkTo, inside(file.path));
        else await writeFile(inside(file.path), file.text, { mode: file.mode ?? 0o644 });
      }
    },
    async existing(paths) {
      const found = new Set<string>();
      for (const path of paths) {
        if (
          await access(inside(path)).then(
            () => true,
            () => false,
          )
        )
          found.add(path);
      }
      return found;
    },
    async read(path) {
      return readFile(inside(path), 'utf8').catch(() => undefined);
    },
  };
}

/** Runs configureRoot as the build's step does; the services it left for after %post, and the log. */
async function configure(
  root: string,
  recipe: ImageRecipe,
  calls: Call[],
  failing?: RegExp,
  family: ImageFamily = 'debian',
) {
  let pending: PendingServices = { enabled: [], disabled: [] };
  const log: string[] = [];
  await runSteps(
    [
      {
        name: 'configure',
        timeoutMs: 10_000,
        run: async (ctx) => {
          pending = await configureRoot(
            ctx,
            fakeImage(root, calls, failing),
            recipe,
            planLayout(recipe.partitions, 'ab'.repeat(32)),
            false,
            family,
          );
        },
      },
    ],
    {},
    { deadlineMs: 10_000, onEvent: (event) => event.type === 'log' && log.push(event.line) },
  );
  return { pending, log };
}

/** What the scripts step does after %post with the services configureRoot left. */
async function afterScripts(root: string, recipe: ImageRecipe, pending: PendingServices, calls: Call[]) {
  const log: string[] = [];
  await runSteps(
    [
      {
        name: 'scripts',
        timeoutMs: 10_000,
        run: (ctx) => servicesMadeByScripts(ctx, fakeImage(root, calls), recipe, pending),
      },
    ],
    {},
    { deadlineMs: 10_000, onEvent: (event) => event.type === 'log' && log.push(event.line) },
  );
  return log;
}

const recipe: ImageRecipe = {
  ...baseRecipe('raw', 'x86_64', 'n', '/out'),
  hostname: 'box',
  locale: 'de_DE.UTF-8',
  keymap: 'de',
  timezone: 'Europe/Berlin',
  rootPassword: { kind: 'crypted', value: '$6$salt$hash' },
  groups: [{ name: 'admins', gid: 2000 }],
  users: [
    {
      name: 'demo',
      groups: ['sudo', 'video'],
      password: { kind: 'plain', value: 'pw' },
      uid: 1500,
      shell: '/bin/sh',
    },
  ],
  sshKeys: [{ user: 'demo', key: 'ssh-ed25519 AAAA demo@host' }],
  services: { enabled: ['ssh.service'], disabled: ['cron.service'] },
  startX: true,
};

test('applies the recipe: files written, accounts and services through the image own tools', async () => {
  const root = await fakeRoot();
  const calls: Call[] = [];
  await configure(root, recipe, calls);
  const read = (path: string) => readFile(join(root, path), 'utf8');
  assert.equal(await read('etc/hostname'), 'box\n');
  assert.match(await read('etc/hosts'), /127\.0\.1\.1 box/);
  assert.equal(await read('etc/default/locale'), 'LANG=de_DE.UTF-8\n');
  assert.equal(await read('etc/locale.gen'), 'de_DE.UTF-8 UTF-8\n');
  assert.match(await read('etc/default/keyboard'), /XKBLAYOUT="de"/);
  assert.equal(await readlink(join(root, 'etc/localtime')), '/usr/share/zoneinfo/Europe/Berlin');
  assert.match(await read('etc/systemd/network/20-wired.network'), /DHCP=yes/);
  assert.match(await read('etc/fstab'), /^UUID=\S+ \/ ext4 /m);
  const commands = calls.map((c) => c.command.join(' '));
  assert.deepEqual(commands, [
    'locale-gen',
    'groupadd -g 2000 admins',
    'groupadd video',
    'useradd -m -s /bin/sh -u 1500 -G sudo,video demo',
    'chpasswd',
    'chpasswd -e',
    'install -d -m 700 -o demo -g demo /home/demo/.ssh',
    commands[7]!,
    'systemctl set-default graphical.target',
    // One systemctl for every unit enabled (each run reads every unit file).
    'systemctl enable systemd-networkd.service serial-getty@ttyS0.service ssh.service',
    'systemctl disable cron.service',
  ]);
  assert.equal(calls[4]!.input, 'demo:pw\n');
  assert.equal(calls[5]!.input, 'root:$6$salt$hash\n');
  assert.equal(calls[7]!.input, 'ssh-ed25519 AAAA demo@host\n');
});

test('services no unit stands for wait for %post: applied when a script made them, else a warning with the line', async () => {
  const root = await fakeRoot();
  const calls: Call[] = [];
  const withServices: ImageRecipe = {
    ...recipe,
    services: {
      enabled: ['ssh', 'getty@tty2.service', 'made-by-post', 'never'],
      disabled: ['cron', 'gone'],
      line: 7,
    },
  };
  const { pending } = await configure(root, withServices, calls);
  const commands = calls.map((c) => c.command.join(' '));
  // A name without a suffix is a service, and an instance exists through its template.
  assert.ok(commands.some((command) => /^systemctl enable .* ssh getty@tty2\.service$/.test(command)));
  assert.ok(commands.includes('systemctl disable cron'));
  assert.deepEqual(pending, { enabled: ['made-by-post', 'never'], disabled: ['gone'] });
  assert.ok(!commands.some((command) => /made-by-post|never|gone/.test(command)));

  // What a %post does: a unit of its own, in /etc.
  await mkdir(join(root, 'etc/systemd/system'), { recursive: true });
  await writeFile(join(root, 'etc/systemd/system/made-by-post.service'), '[Service]\nExecStart=/bin/true\n');
  const later: Call[] = [];
  const log = await afterScripts(root, withServices, pending, later);
  assert.deepEqual(
    later.map((c) => c.command.join(' ')),
    ['systemctl enable made-by-post'],
  );
  assert.deepEqual(log, [
    'warning: line 7: services --enabled=never: no such unit in the image, not even after %post; left as is',
    'warning: line 7: services --disabled=gone: no such unit in the image, not even after %post; left as is',
  ]);
});

test('systemctl failing on a unit that exists is a kickstart error naming it, not the units enabled with it', async () => {
  const root = await fakeRoot();
  const error = await configure(
    root,
    { ...recipe, services: { enabled: ['ssh.service'], disabled: [] } },
    [],
    /enable .*ssh\.service/,
  ).catch((e) => e);
  assert.ok(error instanceof BuildFailure);
  assert.equal(error.kind, 'kickstart-error');
  assert.match(error.message, /services --enabled ssh\.service: Failed to enable unit/);
});

test('a timezone missing from tzdata is a kickstart error', async () => {
  const root = await fakeRoot();
  const error = await configure(root, { ...recipe, timezone: 'Mars/Olympus' }, []).catch((e) => e);
  assert.ok(error instanceof BuildFailure);
  assert.match(error.message, /timezone Mars\/Olympus is not in tzdata/);
});

test('selinux: the mode goes into the policy config, and an image with its policy in force relabels at first boot', async () => {
  const root = await fakeRoot();
  await mkdir(join(root, 'etc/selinux'), { recursive: true });
  const config = '# comment: SELINUX=disabled stays\nSELINUX=enforcing\nSELINUXTYPE=targeted\n';
  await writeFile(join(root, 'etc/selinux/config'), config);
  const { log } = await configure(root, { ...recipe, selinux: { mode: 'permissive', line: 3 } }, []);
  assert.equal(
    await readFile(join(root, 'etc/selinux/config'), 'utf8'),
    '# comment: SELINUX=disabled stays\nSELINUX=permissive\nSELINUXTYPE=targeted\n',
  );
  assert.equal(await readFile(join(root, '.autorelabel'), 'utf8'), '');
  assert.ok(log.some((line) => /SELinux permissive: .*\/\.autorelabel/.test(line)));

  // Without a selinux line the package's mode stands, and is in force.
  const untouched = await fakeRoot();
  await mkdir(join(untouched, 'etc/selinux'), { recursive: true });
  await writeFile(join(untouched, 'etc/selinux/config'), config);
  await configure(untouched, recipe, []);
  assert.equal(await readFile(join(untouched, 'etc/selinux/config'), 'utf8'), config);
  await access(join(untouched, '.autorelabel'));

  // Disabled: nothing to label.
  const disabled = await fakeRoot();
  await mkdir(join(disabled, 'etc/selinux'), { recursive: true });
  await writeFile(join(disabled, 'etc/selinux/config'), 'SELINUXTYPE=targeted');
  await configure(disabled, { ...recipe, selinux: { mode: 'disabled', line: 3 } }, []);
  assert.equal(
    await readFile(join(disabled, 'etc/selinux/config'), 'utf8'),
    'SELINUXTYPE=targeted\nSELINUX=disabled\n',
  );
  await assert.rejects(access(join(disabled, '.autorelabel')));
});

test('selinux on an image without a policy is logged with its line, and nothing is written', async () => {
  const root = await fakeRoot();
  const { log } = await configure(root, { ...recipe, selinux: { mode: 'enforcing', line: 4 } }, []);
  assert.ok(
    log.includes(
      'line 4: selinux --enforcing: the image has no SELinux policy (/etc/selinux/config); not applied',
    ),
  );
  await assert.rejects(access(join(root, '.autorelabel')));
  await assert.rejects(access(join(root, 'etc/selinux')));
});

const firewall = {
  mode: 'enabled' as const,
  services: ['mdns'],
  removeServices: ['dhcpv6-client'],
  ports: ['8080:tcp', '6000-6010:udp'],
  trusts: ['eth1'],
  line: 5,
};

test('firewall: firewall-offline-cmd in the image, one argument per value, ssh let in as Anaconda does', async () => {
  const root = await fakeRoot();
  await writeFile(join(root, 'usr/bin/firewall-offline-cmd'), '');
  const calls: Call[] = [];
  await configure(root, { ...recipe, firewall }, calls);
  const run = calls.find((call) => call.command[0] === '/usr/bin/firewall-offline-cmd');
  assert.deepEqual(run?.command, [
    '/usr/bin/firewall-offline-cmd',
    '--enabled',
    '--service=ssh',
    '--trust=eth1',
    '--port=8080:tcp',
    '--port=6000-6010:udp',
    '--remove-service=dhcpv6-client',
    '--service=mdns',
  ]);

  // ssh named (here: removed) is the kickstart's to decide; --disabled is passed on.
  const again: Call[] = [];
  await configure(
    root,
    { ...recipe, firewall: { ...firewall, mode: 'disabled', removeServices: ['ssh'] } },
    again,
  );
  const args = again.find((call) => call.command[0] === '/usr/bin/firewall-offline-cmd')?.command;
  assert.ok(args?.includes('--disabled'));
  assert.ok(args?.includes('--remove-service=ssh'));
  assert.ok(!args?.includes('--service=ssh'));

  // --use-system-defaults: firewalld's own settings stay.
  const none: Call[] = [];
  await configure(root, { ...recipe, firewall: { ...firewall, mode: 'system-defaults' } }, none);
  assert.ok(!none.some((call) => call.command[0] === '/usr/bin/firewall-offline-cmd'));
});

test('a firewall to be on, on an image without firewalld, is a kickstart error naming the line; one to be off is logged', async () => {
  const root = await fakeRoot();
  const error = await configure(root, { ...recipe, firewall }, []).catch((e) => e);
  assert.ok(error instanceof BuildFailure);
  assert.equal(error.kind, 'kickstart-error');
  assert.match(
    error.message,
    /^line 5: firewall --enabled: the image has no \/usr\/bin\/firewall-offline-cmd; add firewalld/,
  );

  const calls: Call[] = [];
  const { log } = await configure(root, { ...recipe, firewall: { ...firewall, mode: 'disabled' } }, calls);
  assert.ok(
    log.includes(
      'line 5: firewall --disabled: the image has no firewalld (/usr/bin/firewall-offline-cmd); nothing to turn off',
    ),
  );
  assert.ok(!calls.some((call) => call.command[0] === '/usr/bin/firewall-offline-cmd'));
});

test('a firewall-offline-cmd that fails is a kickstart error naming the firewall line', async () => {
  const root = await fakeRoot();
  await writeFile(join(root, 'usr/bin/firewall-offline-cmd'), '');
  const error = await configure(root, { ...recipe, firewall }, [], /firewall-offline-cmd/).catch((e) => e);
  assert.ok(error instanceof BuildFailure);
  assert.equal(error.kind, 'kickstart-error');
  assert.match(error.message, /^line 5: firewall: /);
});

const statics: ImageRecipe['staticNetworks'] = [
  {
    device: { mac: '52:54:00:12:34:56' },
    address: '10.0.0.5',
    prefix: 24,
    gateway: '10.0.0.1',
    nameservers: ['10.0.0.53', '2001:db8::53'],
    line: 3,
  },
  { device: { name: 'eth1' }, address: '192.168.7.2', prefix: 30, nameservers: [], line: 4 },
];

test('static networks on a systemd-networkd image: a file per interface before DHCP for the rest, resolv.conf', async () => {
  const root = await fakeRoot();
  const calls: Call[] = [];
  await configure(root, { ...recipe, staticNetworks: statics }, calls);
  const read = (path: string) => readFile(join(root, path), 'utf8');
  assert.equal(
    await read('etc/systemd/network/10-static-1.network'),
    '[Match]\nMACAddress=52:54:00:12:34:56\n\n[Network]\nAddress=10.0.0.5/24\nGateway=10.0.0.1\nDNS=10.0.0.53\nDNS=2001:db8::53\n',
  );
  assert.equal(
    await read('etc/systemd/network/10-static-2.network'),
    '[Match]\nName=eth1\n\n[Network]\nAddress=192.168.7.2/30\n',
  );
  assert.match(await read('etc/systemd/network/20-wired.network'), /DHCP=yes/);
  // No systemd-resolved in this image: networkd's DNS= would reach no resolver.
  assert.equal(await read('etc/resolv.conf'), 'nameserver 10.0.0.53\nnameserver 2001:db8::53\n');
  assert.ok(calls.some((call) => /^systemctl enable systemd-networkd\.service/.test(call.command.join(' '))));

  // Without a device networkd gives the address to every wired interface: said in the log, with the line.
  const anyDevice = await fakeRoot();
  const { log } = await configure(
    anyDevice,
    { ...recipe, staticNetworks: [{ ...statics[1]!, device: undefined, line: 9 }] },
    [],
  );
  assert.match(
    await readFile(join(anyDevice, 'etc/systemd/network/10-static-1.network'), 'utf8'),
    /^\[Match\]\nName=en\* eth\*\n/,
  );
  assert.ok(log.some((line) => /^warning: line 9: network --bootproto=static without --device/.test(line)));

  const resolved = await fakeRoot();
  await mkdir(join(resolved, 'usr/lib/systemd'), { recursive: true });
  await writeFile(join(resolved, 'usr/lib/systemd/systemd-resolved'), '');
  await configure(resolved, { ...recipe, staticNetworks: statics }, []);
  await assert.rejects(access(join(resolved, 'etc/resolv.conf')));
});

test('static networks on an rpm image with NetworkManager: keyfiles only it may read, no networkd', async () => {
  const root = await fakeRoot();
  await mkdir(join(root, 'usr/sbin'), { recursive: true });
  await writeFile(join(root, 'usr/sbin/NetworkManager'), '');
  const calls: Call[] = [];
  await configure(root, { ...recipe, staticNetworks: statics }, calls, undefined, 'rpm');
  const file = join(root, 'etc/NetworkManager/system-connections/static-1.nmconnection');
  const text = await readFile(file, 'utf8');
  assert.equal((await stat(file)).mode & 0o777, 0o600);
  assert.match(
    text,
    /^\[connection\]\nid=static-1\nuuid=[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-a[0-9a-f]{3}-[0-9a-f]{12}\ntype=ethernet\n/,
  );
  assert.match(text, /\[ethernet\]\nmac-address=52:54:00:12:34:56\n/);
  assert.match(text, /\[ipv4\]\nmethod=manual\naddress1=10\.0\.0\.5\/24,10\.0\.0\.1\ndns=10\.0\.0\.53;\n/);
  assert.match(text, /\[ipv6\]\nmethod=auto\ndns=2001:db8::53;\n$/);
  const second = await readFile(
    join(root, 'etc/NetworkManager/system-connections/static-2.nmconnection'),
    'utf8',
  );
  assert.match(second, /interface-name=eth1\n/);
  await assert.rejects(access(join(root, 'etc/systemd/network')));
  assert.ok(!calls.some((call) => call.command.join(' ').includes('systemd-networkd')));
});

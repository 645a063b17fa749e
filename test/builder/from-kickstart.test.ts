import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { BuildFailure } from '../../src/builder/failures.ts';
import { type KickstartInput, resolveKickstart } from '../../src/builder/from-kickstart.ts';

const scratch = mkdtempSync(join(tmpdir(), 'imger-resolve-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

function resolve(kickstart: string, changes: Partial<KickstartInput> = {}) {
  return resolveKickstart(
    { kickstart, type: 'raw', arch: 'x86_64', name: 'img', outputDir: scratch, ...changes },
    AbortSignal.timeout(10_000),
  );
}

async function refused(kickstart: string, changes: Partial<KickstartInput> = {}): Promise<BuildFailure> {
  try {
    await resolve(kickstart, changes);
  } catch (error) {
    assert.ok(error instanceof BuildFailure);
    assert.equal(error.kind, 'kickstart-error');
    assert.equal(error.step, 'resolve');
    return error;
  }
  assert.fail('the kickstart was accepted');
}

describe('resolveKickstart', () => {
  it('applies the system commands', async () => {
    const { recipe } = await resolve(
      [
        'lang fi_FI.UTF-8',
        'keyboard --vckeymap=fi',
        'timezone Europe/Helsinki',
        'rootpw --iscrypted $6$salt$hash',
        'group --name=builders --gid=1500',
        'user --name=ann --groups=sudo,builders --password=secret --shell=/bin/bash --uid=1200',
        'user --name=bob --lock',
        'sshkey --username=ann "ssh-ed25519 AAAA ann@example"',
        'network --bootproto=dhcp --hostname=box',
        'services --enabled=ssh --disabled=cron',
        'bootloader --append="console=ttyS0 quiet" --timeout=3',
        'xconfig --startxonboot',
        'desktop --autologinuser=ann',
      ].join('\n'),
    );
    assert.equal(recipe.locale, 'fi_FI.UTF-8');
    assert.equal(recipe.keymap, 'fi');
    assert.equal(recipe.timezone, 'Europe/Helsinki');
    assert.equal(recipe.utc, false);
    assert.deepEqual(recipe.rootPassword, { kind: 'crypted', value: '$6$salt$hash' });
    assert.deepEqual(recipe.groups, [{ name: 'builders', gid: 1500 }]);
    assert.deepEqual(recipe.users, [
      {
        name: 'ann',
        groups: ['sudo', 'builders'],
        password: { kind: 'plain', value: 'secret' },
        shell: '/bin/bash',
        uid: 1200,
      },
      { name: 'bob', groups: [], password: { kind: 'locked' } },
    ]);
    assert.deepEqual(recipe.sshKeys, [{ user: 'ann', key: 'ssh-ed25519 AAAA ann@example' }]);
    assert.equal(recipe.hostname, 'box');
    assert.deepEqual(recipe.services, { enabled: ['ssh'], disabled: ['cron'], line: 10 });
    assert.deepEqual(recipe.bootloader, { append: 'console=ttyS0 quiet', timeoutS: 3 });
    assert.equal(recipe.startX, true);
    assert.equal(recipe.autologinUser, 'ann');
  });

  it('locks root when the kickstart sets no root password', async () => {
    assert.deepEqual((await resolve('lang C')).recipe.rootPassword, { kind: 'locked' });
  });

  it('sizes the partitions from the part lines, and refuses mount points it cannot make, naming the line', async () => {
    const { recipe, notes } = await resolve(
      'part biosboot --size=1\npart /boot --size=512 --fstype=ext4\npart / --size=3000 --grow --fstype=xfs\npart swap --size=256',
    );
    assert.deepEqual(recipe.partitions, [
      { mountpoint: '/boot', fstype: 'ext4', grow: false, sizeMiB: 512 },
      { mountpoint: '/', fstype: 'xfs', grow: true, sizeMiB: 3000 },
      { mountpoint: 'swap', fstype: 'swap', grow: false, sizeMiB: 256 },
    ]);
    assert.ok(notes.some((n) => /line 1: part biosboot/.test(n)));
    const home = await refused('part / --size=1000\npart /home --size=500');
    assert.match(home.message, /^line 2: part \/home: the native builder makes only/);
    const lvm = await refused('lang C\nvolgroup vg pv.1');
    assert.match(lvm.message, /^line 2: volgroup: the native builder does not make LVM volume groups/);
  });

  it('logs installer-only commands as not applicable; selinux and firewall apply to the image', async () => {
    const { notes, recipe } = await resolve(
      'selinux --enforcing\nfirewall --enabled --ssh --service=mdns,cups --port=8080:tcp --trust=eth1\nreboot',
    );
    assert.ok(notes.some((n) => n.includes('line 3: reboot applies to an installer run')));
    assert.ok(!notes.some((n) => /selinux|firewall/.test(n)));
    assert.deepEqual(recipe.selinux, { mode: 'enforcing', line: 1 });
    assert.deepEqual(recipe.firewall, {
      mode: 'enabled',
      services: ['mdns', 'cups', 'ssh'],
      removeServices: [],
      ports: ['8080:tcp'],
      trusts: ['eth1'],
      line: 2,
    });
  });

  it('refuses firewall values firewalld could not take, and --inst-langs that are not language codes', async () => {
    const firewall = await refused('lang C\nfirewall --enabled --service="ssh;reboot" --port=22');
    assert.match(firewall.message, /^line 2: firewall --service: "ssh;reboot" is not one firewalld takes/);
    // pykickstart's reading: no flag is enabled, a port without a protocol is TCP, a service name may be a port.
    const { recipe } = await resolve('firewall --port=2222,imap:tcp,60000-60010:udp');
    assert.equal(recipe.firewall?.mode, 'enabled');
    assert.deepEqual(recipe.firewall?.ports, ['2222:tcp', 'imap:tcp', '60000-60010:udp']);
    const langs = await refused(
      'repo --name=os --baseurl=http://rpm.example/os --type=rpm\n%packages --inst-langs="en:%(touch /tmp/owned)"\n%end',
    );
    assert.match(langs.message, /^line 2: %packages --inst-langs=/);
  });

  it('takes static networks as the interface, address, prefix, gateway and name servers, and refuses what is not one', async () => {
    const { recipe, notes } = await resolve(
      'network --bootproto=static --device=52:54:00:AB:CD:EF --ip=10.0.0.5 --netmask=255.255.255.0 --gateway=10.0.0.1 --nameserver=10.0.0.53,2001:db8::53\n' +
        'network --bootproto=static --device=eth1 --ip=192.168.7.2 --netmask=30\n' +
        'network --bootproto=query --device=eth2',
    );
    assert.deepEqual(recipe.staticNetworks, [
      {
        device: { mac: '52:54:00:ab:cd:ef' },
        address: '10.0.0.5',
        prefix: 24,
        gateway: '10.0.0.1',
        nameservers: ['10.0.0.53', '2001:db8::53'],
        line: 1,
      },
      { device: { name: 'eth1' }, address: '192.168.7.2', prefix: 30, nameservers: [], line: 2 },
    ]);
    assert.ok(notes.includes('line 3: network --bootproto=query is not applied; the image uses DHCP'));
    for (const [options, says] of [
      ['--ip=10.0.0.5 --netmask=255.0.255.0', /network --netmask="255\.0\.255\.0"/],
      ['--ip=10.0.0.5', /network --netmask: a static network needs a netmask/],
      ['--ip=10.0.0.5 --netmask=24 --gateway="10.0.0.1 DNS=6.6.6.6"', /network --gateway=/],
      ['--ip=10.0.0.5 --netmask=24 --nameserver=evil.example', /network --nameserver="evil\.example"/],
      ['--ip=10.0.0.5 --netmask=24 --device="eth0 [Network]"', /network --device=/],
    ] as const) {
      const error = await refused(`lang C\nnetwork --bootproto=static ${options}`);
      assert.match(error.message, says);
    }
  });

  it('hands the rpm-only %packages options on, as codes joined by ":", and notes them on apt', async () => {
    const { recipe } = await resolve(
      'repo --name=os --baseurl=http://rpm.example/os --type=rpm\n%packages --nocore --exclude-weakdeps --multilib --inst-langs=en,pt_BR:sr@latin:C.UTF-8\n%end',
    );
    assert.equal(recipe.noCore, true);
    assert.equal(recipe.excludeWeakDeps, true);
    assert.equal(recipe.multilib, true);
    assert.equal(recipe.installLangs, 'en:pt_BR:sr@latin:C.UTF-8');
    const apt = await resolve('%packages --nocore --inst-langs=de\nbash\n%end');
    assert.ok(
      apt.notes.includes('line 1: %packages --nocore --inst-langs applies to rpm repositories; ignored'),
    );
  });

  it('takes an apt archive from --suite, an rpm repository from its repomd.xml, and refuses a mix', async () => {
    const rpmRepo = join(scratch, 'rpms');
    mkdirSync(join(rpmRepo, 'repodata'), { recursive: true });
    writeFileSync(join(rpmRepo, 'repodata', 'repomd.xml'), '<repomd/>');
    const apt = await resolve(
      'repo --name=deb --baseurl=http://deb.example.org/debian --suite=bookworm --components=main,contrib',
    );
    assert.deepEqual(apt.recipe.sources, [
      {
        kind: 'apt',
        name: 'deb',
        url: 'http://deb.example.org/debian',
        suite: 'bookworm',
        components: ['main', 'contrib'],
      },
    ]);
    const rpm = await resolve(`repo --name=local --baseurl=file://${rpmRepo}`, { type: 'fs' });
    assert.deepEqual(rpm.recipe.sources, [{ kind: 'rpm', name: 'local', url: `file://${rpmRepo}` }]);
    const unknown = await refused(`repo --name=what --baseurl=file://${scratch}`);
    assert.match(
      unknown.message,
      /line 1: repo what: .* serves no repodata\/repomd\.xml; for an apt archive give --suite=/,
    );
    const mixed = await refused(
      `repo --name=a --baseurl=http://d.example.org/debian --suite=bookworm\nrepo --name=b --baseurl=file://${rpmRepo}`,
    );
    assert.match(mixed.message, /mix apt archives and rpm repositories/);
  });

  it('maps @groups to Debian task packages on apt, and refuses a group name apt cannot have', async () => {
    const { recipe } = await resolve('%packages\n@^gnome-desktop\n@ssh-server\nvim\n-nano\n%end');
    assert.deepEqual(recipe.packages, ['task-gnome-desktop', 'task-ssh-server', 'vim']);
    assert.deepEqual(recipe.excludedPackages, ['nano']);
    const spaced = await refused('%packages\n@MeeGo Core\n%end');
    assert.match(spaced.message, /group "MeeGo Core" has no apt equivalent/);
  });

  it('applies tokens and the job overlay, and keeps both in the kickstart as built', async () => {
    const { recipe, asBuilt } = await resolve(
      'repo --name=deb --baseurl=http://deb.example.org/@RELEASE@/@ARCH@ --suite=bookworm',
      { tokenmap: 'RELEASE:12', overlay: { packages: ['curl'] } },
    );
    assert.equal(recipe.sources[0]!.url, 'http://deb.example.org/12/x86_64');
    assert.equal(recipe.tokens.RELEASE, '12');
    assert.equal(recipe.tokens.BUILD_ID, '12');
    assert.deepEqual(recipe.packages, ['curl']);
    assert.match(asBuilt, /--baseurl=http:\/\/deb\.example\.org\/12\/x86_64/);
    assert.match(asBuilt, /^curl$/m);
  });

  it('turns mic2 --pack-to into the fs tarball format', async () => {
    const header = '# -*-mic2-options-*- -f fs --pack-to=@NAME@.tar.gz -*-mic2-options-*-\nlang C';
    assert.equal((await resolve(header, { type: 'fs' })).recipe.packTo, 'tar.gz');
  });

  it('refuses an invalid kickstart with its first error and a count, and includes by default', async () => {
    const bad = await refused('lang C\npart / --size big\nfrobnicate');
    assert.equal(bad.message, 'img.ks: line 2: part: --size expects a number, got "big" (and 1 more error)');
    const include = await refused('%include /etc/passwd');
    assert.match(include.message, /%include is not allowed in a submitted kickstart/);
  });

  it('refuses a type or an architecture it cannot build before anything else', async () => {
    assert.match((await refused('lang C', { type: 'nand' })).message, /only by the mic backend/);
    assert.match((await refused('lang C', { arch: 'sparc' })).message, /architecture sparc cannot be built/);
  });
});

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { commandOf, commandsOf } from '../../../src/kickstart/query.ts';
import { cases, ks, parseClean } from './helpers.ts';

describe('zerombr, clearpart, ignoredisk, reqpart', () => {
  test('valid forms', () => {
    const parsed = parseClean(
      ks(
        'zerombr',
        'ignoredisk --only-use=sda,nvme0n1',
        'clearpart --all --initlabel --disklabel=gpt',
        'reqpart --add-boot',
      ),
    );
    assert.ok(commandOf(parsed, 'zerombr'));
    assert.deepEqual(commandOf(parsed, 'ignoredisk')?.options, { 'only-use': ['sda', 'nvme0n1'] });
    assert.deepEqual(commandOf(parsed, 'clearpart')?.options, {
      all: true,
      initlabel: true,
      disklabel: 'gpt',
    });
    assert.deepEqual(commandOf(parsed, 'reqpart')?.options, { 'add-boot': true });
    assert.deepEqual(
      commandOf(parseClean(ks('clearpart --list=sda2,sda3 --drives=sda')), 'clearpart')?.options,
      {
        list: ['sda2', 'sda3'],
        drives: ['sda'],
      },
    );
  });
  cases([
    {
      name: 'zerombr takes no arguments',
      lines: ['zerombr yes'],
      errors: ['line 1: zerombr: takes no arguments, got "yes"'],
    },
    {
      name: 'clearpart: --all, --linux and --none set one thing, so the last one wins',
      lines: ['lang C', 'clearpart --linux --none --all'],
      warnings: [
        'line 2: clearpart: --none overrides --linux given before it',
        'line 2: clearpart: --all overrides --none given before it',
      ],
    },
    {
      name: 'clearpart: --list supersedes the others',
      lines: ['clearpart --drives=sda,sdb --all --list=sda1 --initlabel'],
      warnings: ['line 1: clearpart: --list supersedes --all'],
    },
    {
      name: 'ignoredisk needs a list',
      lines: ['ignoredisk'],
      errors: ['line 1: ignoredisk: expects --drives or --only-use'],
    },
    {
      name: 'ignoredisk: one list',
      lines: ['ignoredisk --drives=sdb --only-use=sda'],
      errors: ['line 1: ignoredisk: --drives and --only-use cannot be used together'],
    },
    {
      name: 'ignoredisk --interactive is gone',
      lines: ['ignoredisk --interactive'],
      errors: [
        'line 1: ignoredisk: --interactive is no longer supported: the installer no longer asks',
        'line 1: ignoredisk: expects --drives or --only-use',
      ],
    },
    {
      name: 'reqpart: unknown option',
      lines: ['reqpart --boot'],
      errors: ['line 1: reqpart: unknown option "--boot"'],
    },
  ]);
});

describe('autopart', () => {
  test('an encrypted plain layout', () => {
    const autopart = commandOf(
      parseClean(
        ks(
          'autopart --type=plain --fstype=ext4 --nohome --encrypted --passphrase=x --luks-version=luks2 --pbkdf-time=1000',
        ),
      ),
      'autopart',
    );
    assert.deepEqual(autopart?.options, {
      type: 'plain',
      fstype: 'ext4',
      nohome: true,
      encrypted: true,
      passphrase: 'x',
      'luks-version': 'luks2',
      'pbkdf-time': 1000,
    });
  });
  cases([
    {
      name: 'a bad --type',
      lines: ['autopart --type=zfs'],
      errors: ['line 1: autopart: --type expects one of lvm, btrfs, plain, partition, thinp, got "zfs"'],
    },
    {
      name: '--nolvm is --type=plain, stored in the same place: the last one wins',
      lines: ['autopart --nolvm --type=lvm'],
      warnings: ['line 1: autopart: --type overrides --nolvm given before it'],
    },
    {
      name: '--type=partition is plain, and any case will do',
      lines: ['autopart --type=partition', 'autopart --type=LVM'],
      warnings: ['line 2: autopart: given again; this one replaces line 1'],
    },
    {
      name: 'hibernation needs swap',
      lines: ['autopart --hibernation --noswap'],
      errors: ['line 1: autopart: --hibernation and --noswap cannot be used together'],
    },
    {
      name: 'a self-encrypting drive passphrase, with a hardware LUKS version only',
      lines: [
        'autopart --encrypted --passphrase="test" --luks-version=luks2-hw-opal --hw-passphrase="testhw"',
        'part / --encrypted --passphrase="test" --luks-version=luks2-hw-opal --hw-passphrase="testhw"',
        'part /srv --encrypted --passphrase="test" --luks-version=luks1 --hw-passphrase="testhw"',
      ],
      errors: [
        'line 2: part: cannot be used with autopart (line 1)',
        'line 3: part: --hw-passphrase needs --encrypted and a hardware --luks-version such as luks2-hw-opal',
        'line 3: part: cannot be used with autopart (line 1)',
      ],
    },
    {
      name: 'autopart goes with no explicit layout, whichever comes first',
      lines: [
        'part / --size=1024',
        'reqpart',
        'autopart',
        'volgroup vg pv.01',
        'logvol / --vgname=vg --name=root --size=1',
        'raid /srv --device=md0 --level=1 raid.01 raid.02',
      ],
      errors: [
        'line 3: autopart: cannot be used with part (line 1)',
        'line 3: autopart: cannot be used with reqpart (line 2)',
        'line 4: volgroup: cannot be used with autopart (line 3)',
        'line 5: logvol: cannot be used with autopart (line 3)',
        'line 6: raid: cannot be used with autopart (line 3)',
      ],
    },
    {
      name: 'mount uses existing devices, so it goes with no layout to make',
      lines: ['mount /dev/sda1 /', 'part /boot --size=1', 'reqpart', 'autopart'],
      errors: [
        'line 2: part: cannot be used with mount (line 1)',
        'line 3: reqpart: cannot be used with mount (line 1)',
        'line 4: autopart: cannot be used with mount (line 1)',
        'line 4: autopart: cannot be used with part (line 2)',
        'line 4: autopart: cannot be used with reqpart (line 3)',
      ],
    },
    {
      name: 'btrfs is a --type',
      lines: ['autopart --fstype=btrfs'],
      errors: ['line 1: autopart: --fstype=btrfs is not a file system choice here; use --type=btrfs'],
    },
    {
      name: '--fstype with --type=btrfs',
      lines: ['autopart --type=btrfs --fstype=xfs'],
      errors: ['line 1: autopart: --fstype cannot be used with --type=btrfs'],
    },
    {
      name: 'PBKDF time or iterations',
      lines: ['autopart --encrypted --pbkdf-time=1 --pbkdf-iterations=2'],
      errors: ['line 1: autopart: --pbkdf-time and --pbkdf-iterations cannot be used together'],
    },
  ]);
});

describe('part', () => {
  test('a root that grows, swap, biosboot, and the partition alias', () => {
    const parts = commandsOf(
      parseClean(
        ks(
          'part biosboot --fstype=biosboot --size=1',
          'part / --fstype=ext4 --size=3000 --grow --maxsize=8000 --ondisk=sda --label=root --fsoptions="noatime,discard"',
          'part swap --recommended',
          'partition /home --type=xfs --size=100 --encrypted',
        ),
      ),
      'part',
    );
    assert.deepEqual(
      parts.map((p) => [p.name, p.args, p.options]),
      [
        ['part', ['biosboot'], { fstype: 'biosboot', size: 1 }],
        [
          'part',
          ['/'],
          {
            fstype: 'ext4',
            size: 3000,
            grow: true,
            maxsize: 8000,
            ondisk: 'sda',
            label: 'root',
            fsoptions: 'noatime,discard',
          },
        ],
        ['part', ['swap'], { recommended: true }],
        ['part', ['/home'], { fstype: 'xfs', size: 100, encrypted: true }],
      ],
    );
  });
  test("mic's options", () => {
    const part = commandOf(
      parseClean(
        ks(
          'part /boot --size=64 --fstype=ext4 --align=1024 --extoptions="-b 4096" --part-type=C12A7328 --uuid=1234',
        ),
      ),
      'part',
    );
    assert.deepEqual(part?.options, {
      size: 64,
      fstype: 'ext4',
      align: 1024,
      extoptions: '-b 4096',
      'part-type': 'C12A7328',
      uuid: '1234',
    });
  });
  test('several swap partitions are fine', () => {
    assert.equal(commandsOf(parseClean(ks('part swap --size=1', 'part swap --size=2')), 'part').length, 2);
  });
  cases([
    {
      name: '--size is a number',
      lines: ['lang C', 'part / --size big'],
      errors: ['line 2: part: --size expects a number, got "big"'],
    },
    {
      name: '--size is positive',
      lines: ['part / --size=0'],
      errors: ['line 1: part: --size expects a number of at least 1, got "0"'],
    },
    {
      name: 'needs a mount point',
      lines: ['part --size=100'],
      errors: [
        'line 1: part: expects 1 argument (a mount point, swap, biosboot, pv.N, raid.N or btrfs.N), got 0',
      ],
    },
    {
      name: 'one mount point',
      lines: ['part / /home'],
      errors: [
        'line 1: part: too many arguments (a mount point, swap, biosboot, pv.N, raid.N or btrfs.N): "/" "/home"',
      ],
    },
    {
      name: 'the same mount point twice, spelled differently',
      lines: ['part /home --size=1', 'part /home/ --size=2'],
      warnings: [
        'line 2: part: a partition with the mount point "/home" was already declared at line 1; the last one wins',
      ],
    },
    {
      name: '--resize needs --onpart and --size',
      lines: ['part / --resize'],
      errors: [
        'line 1: part: --resize can only be used with --onpart',
        'line 1: part: --resize needs --size (the new size)',
      ],
    },
    {
      name: 'tmpfs does not grow',
      lines: ['part /tmp --fstype=tmpfs --size=100 --grow'],
      errors: ['line 1: part: --fstype=tmpfs cannot be used with --grow or --maxsize'],
    },
    {
      name: '--mkfsoptions with --noformat or --fsprofile',
      lines: ['part / --onpart=sda1 --noformat --mkfsoptions=-m0 --fsprofile=news'],
      errors: [
        'line 1: part: --mkfsoptions has no effect with --noformat',
        'line 1: part: --mkfsoptions and --fsprofile cannot be used together',
      ],
    },
    {
      name: 'mkfs and mount options that start with a dash and hold a space are values (a Rocky 9 kickstart)',
      lines: [
        'part / --size=8000 --fstype="xfs" --mkfsoptions "-m bigtime=0,inobtcount=0" --grow',
        'part /srv --size=1 --fsoptions "-o x"',
        'part /tmp --size=1 --fsoptions "-o"',
      ],
      errors: ['line 3: part: --fsoptions expects mount options', 'line 3: part: unknown option "-o"'],
    },
    {
      name: '--active is gone',
      lines: ['part /boot --size=1 --active'],
      errors: ['line 1: part: --active is no longer supported: the boot loader marks the partition it needs'],
    },
    {
      name: '--start is gone',
      lines: ['part / --size=1 --start=1'],
      errors: ['line 1: part: --start is no longer supported: partitions are placed automatically'],
    },
    {
      name: 'an ambiguous prefix',
      lines: ['part / --pbkdf-'],
      errors: [
        'line 1: part: ambiguous option "--pbkdf-" could be --pbkdf-iterations, --pbkdf-memory, --pbkdf-time',
      ],
    },
    {
      name: 'an unknown option',
      lines: ['part / --sized=1'],
      errors: ['line 1: part: unknown option "--sized"'],
    },
    {
      name: "mic's --align is refused in pykickstart's own syntax",
      lines: ['part / --size=1 --align=4'],
      options: { extensions: false },
      errors: ['line 1: part: --align is a mic extension, not pykickstart syntax'],
    },
  ]);
});

describe('raid', () => {
  test('a RAID 1 root', () => {
    const raid = commandOf(
      parseClean(ks('raid / --level=raid1 --device=md0 --fstype=ext4 --spares=1 raid.01 raid.02 raid.03')),
      'raid',
    );
    assert.deepEqual(raid?.args, ['/', 'raid.01', 'raid.02', 'raid.03']);
    assert.deepEqual(raid?.options, { level: 'raid1', device: 'md0', fstype: 'ext4', spares: 1 });
    assert.ok(commandOf(parseClean(ks('raid /srv --device=md1 --useexisting')), 'raid'));
  });
  cases([
    {
      name: 'a bad level',
      lines: ['raid / --level=RAID7 --device=md0 raid.01'],
      errors: ['line 1: raid: --level expects one of RAID0, RAID1, RAID4, RAID5, RAID6, RAID10, got "RAID7"'],
    },
    {
      name: 'needs --device and members',
      lines: ['raid /'],
      errors: [
        'line 1: raid: --device is required',
        'line 1: raid: expects the member partitions after the mount point',
        'line 1: raid: a new RAID device needs --level',
      ],
    },
    {
      name: 'an existing RAID device is named',
      lines: ["raid / --level=0 --useexisting --device=''"],
      errors: ['line 1: raid: an existing RAID device needs its name in --device'],
    },
    {
      name: 'an existing RAID device has its members already',
      lines: ['raid / --device=md0 --level=1 --useexisting raid.01'],
      errors: ['line 1: raid: an existing RAID device (--useexisting, --noformat) takes no members'],
    },
    {
      name: 'the same device twice',
      lines: ['raid / --level=1 --device=md0 raid.01', 'raid /srv --level=1 --device=md0 raid.02'],
      warnings: ['line 2: raid: the RAID device "md0" was already declared at line 1; the last one wins'],
    },
    {
      name: '--spares is a number',
      lines: ['raid / --level=1 --device=md0 --spares=two raid.01'],
      errors: ['line 1: raid: --spares expects a number, got "two"'],
    },
  ]);
});

describe('volgroup and logvol', () => {
  test('a volume group with logical volumes', () => {
    const parsed = parseClean(
      ks(
        'volgroup vg0 --pesize=4096 pv.01 pv.02',
        'logvol / --vgname=vg0 --name=root --size=10000 --grow --fstype=xfs',
        'logvol swap --vgname=vg0 --name=swap --recommended',
        'logvol none --vgname=vg0 --name=pool --thinpool --size=5000 --chunksize=64',
        'logvol /srv --vgname=vg0 --name=srv --thin --poolname=pool --percent=50',
      ),
    );
    assert.deepEqual(commandOf(parsed, 'volgroup')?.args, ['vg0', 'pv.01', 'pv.02']);
    assert.deepEqual(commandOf(parsed, 'volgroup')?.options, { pesize: 4096 });
    assert.deepEqual(
      commandsOf(parsed, 'logvol').map((l) => [l.args[0], l.options.name]),
      [
        ['/', 'root'],
        ['swap', 'swap'],
        ['none', 'pool'],
        ['/srv', 'srv'],
      ],
    );
    assert.ok(commandOf(parseClean(ks('volgroup vg0 --useexisting')), 'volgroup'));
  });
  cases([
    {
      name: 'volgroup needs physical volumes',
      lines: ['volgroup vg0'],
      errors: ['line 1: volgroup: expects the physical volumes after the name'],
    },
    {
      name: 'an existing volume group takes none',
      lines: ['volgroup vg0 --useexisting pv.01'],
      errors: ['line 1: volgroup: an existing volume group (--useexisting, --noformat) takes no members'],
    },
    {
      name: 'reserved space and percent: the space is used',
      lines: ['volgroup vg0 --reserved-space=1 --reserved-percent=2 pv.01'],
      warnings: ['line 1: volgroup: --reserved-space is used, --reserved-percent is ignored'],
    },
    {
      name: 'reserved percent is below 100',
      lines: ['volgroup vg0 --reserved-percent=100 pv.01'],
      errors: ['line 1: volgroup: --reserved-percent expects a number of at most 99, got "100"'],
    },
    {
      name: 'the same volume group twice',
      lines: ['volgroup vg0 pv.01', 'volgroup vg0 pv.02'],
      warnings: [
        'line 2: volgroup: a volume group named "vg0" was already declared at line 1; the last one wins',
      ],
    },
    {
      name: 'logvol needs --vgname and --name',
      lines: ['lang C', 'logvol / --size=1'],
      errors: ['line 2: logvol: --vgname is required', 'line 2: logvol: --name is required'],
    },
    {
      name: 'the same logical volume twice',
      lines: ['logvol / --vgname=vg --name=root --size=1', 'logvol /x --vgname=vg --name=root --size=1'],
      warnings: [
        'line 2: logvol: a logical volume "vg/root" was already declared at line 1; the last one wins',
      ],
    },
    {
      name: 'a thin volume needs its pool',
      lines: ['logvol / --vgname=vg --name=root --thin --size=1'],
      errors: ['line 1: logvol: --thin needs --poolname'],
    },
    {
      name: 'thin or thin pool',
      lines: ['logvol none --vgname=vg --name=p --size=1 --thin --thinpool --poolname=p'],
      errors: ['line 1: logvol: --thin and --thinpool cannot be used together'],
    },
    {
      name: 'a new volume, a thin pool too, needs a size',
      lines: [
        'logvol none --name=pool1 --vgname=vg --thinpool',
        'logvol /home --name=home --vgname=vg --useexisting',
        'logvol /srv --name=srv --vgname=vg --percent=0 --noformat',
        'logvol swap --name=swap --vgname=vg --recommended',
      ],
      errors: [
        'line 1: logvol: a new logical volume needs a size: --size, --percent, --recommended or --hibernation',
      ],
    },
    {
      name: 'a size or a percentage, not both',
      lines: ['logvol /home --name=home --vgname=vg --size=2 --percent=30'],
      errors: ['line 1: logvol: --size and --percent cannot be used together'],
    },
    {
      name: 'no cache on an existing or thin volume',
      lines: [
        'logvol /home --name=home --vgname=vg --size=500 --cachesize=250 --cachepvs=pv.01 --useexisting',
        'logvol /srv --name=srv --vgname=vg --size=500 --cachesize=250 --cachepvs=pv.01 --noformat',
        'logvol /t --name=t --vgname=vg --size=5 --thin --poolname=p --cachesize=2 --cachepvs=pv.01',
      ],
      errors: [
        'line 1: logvol: a cache cannot be added to an existing logical volume',
        'line 2: logvol: a cache cannot be added to an existing logical volume',
        'line 3: logvol: a thin volume cannot be cached',
      ],
    },
    {
      name: 'chunk size is for thin pools',
      lines: ['logvol / --vgname=vg --name=root --size=1 --chunksize=64'],
      errors: ['line 1: logvol: --chunksize and --metadatasize apply to a thin pool (--thinpool) only'],
    },
    {
      name: 'a cache needs its size and volumes',
      lines: [
        'logvol / --vgname=vg --name=r --size=1 --cachemode=writeback',
        'logvol /a --vgname=vg --name=a --size=1 --cachesize=10',
      ],
      errors: [
        'line 1: logvol: --cachemode and --cachepvs need --cachesize',
        'line 2: logvol: --cachesize needs --cachepvs',
      ],
    },
    {
      name: 'only an existing volume is resized',
      lines: ['logvol / --vgname=vg --name=r --resize'],
      errors: [
        'line 1: logvol: a new logical volume needs a size: --size, --percent, --recommended or --hibernation',
        'line 1: logvol: --resize can only be used with --useexisting',
        'line 1: logvol: --resize needs --size (the new size)',
      ],
    },
    {
      name: 'a bad cache mode',
      lines: ['logvol / --vgname=vg --name=r --size=1 --cachesize=1 --cachepvs=pv.9 --cachemode=fast'],
      errors: ['line 1: logvol: --cachemode expects one of writeback, writethrough, got "fast"'],
    },
    {
      name: '--percent is 0 to 100',
      lines: ['logvol / --vgname=vg --name=r --percent=150 --useexisting'],
      errors: ['line 1: logvol: --percent expects a number of at most 100, got "150"'],
    },
    {
      name: 'one mount point',
      lines: ['logvol --vgname=vg --name=r --size=1'],
      errors: ['line 1: logvol: expects 1 argument (a mount point, swap or none), got 0'],
    },
  ]);
});

describe('btrfs', () => {
  test('a volume and its subvolumes', () => {
    const parsed = parseClean(
      ks(
        'btrfs none --label=fedora --data=raid1 --metadata=RAID1 btrfs.01 btrfs.02',
        'btrfs / --subvol --name=root LABEL=fedora',
        'btrfs /home --subvol --name=home --parent=x LABEL=fedora',
      ),
    );
    assert.deepEqual(
      commandsOf(parsed, 'btrfs').map((b) => [b.args, b.options]),
      [
        [['none', 'btrfs.01', 'btrfs.02'], { label: 'fedora', data: 'raid1', metadata: 'RAID1' }],
        [['/', 'LABEL=fedora'], { subvol: true, name: 'root' }],
        [['/home', 'LABEL=fedora'], { subvol: true, name: 'home', parent: 'x' }],
      ],
    );
  });
  cases([
    {
      name: 'a subvolume needs a name and one parent',
      lines: ['btrfs /home --subvol'],
      errors: [
        'line 1: btrfs: --subvol needs --name',
        'line 1: btrfs: a subvolume expects its mount point and parent volume',
      ],
    },
    {
      name: 'a volume needs members',
      lines: ['btrfs /'],
      errors: ['line 1: btrfs: expects the member partitions after the mount point'],
    },
    {
      name: 'a bad data level',
      lines: ['btrfs / --data=raid7 btrfs.01'],
      errors: ['line 1: btrfs: --data expects one of raid0, raid1, raid10, single, got "raid7"'],
    },
    {
      name: 'the same mount point twice',
      lines: ['btrfs / --subvol --name=a LABEL=x', 'btrfs / --subvol --name=b LABEL=x'],
      warnings: [
        'line 2: btrfs: a btrfs volume with the mount point "/" was already declared at line 1; the last one wins',
      ],
    },
  ]);
});

describe('mount and snapshot', () => {
  test('valid forms', () => {
    const parsed = parseClean(
      ks(
        'mount /dev/sda1 /boot --reformat=xfs --mkfsoptions="-m 0"',
        'mount /dev/sda2 / --reformat --mountoptions=noatime',
        'mount /dev/sdb1 none',
        'snapshot vg0/root --name=pre --when=pre-install',
      ),
    );
    assert.deepEqual(
      commandsOf(parsed, 'mount').map((m) => [m.args, m.options]),
      [
        [['/dev/sda1', '/boot'], { reformat: 'xfs', mkfsoptions: '-m 0' }],
        [['/dev/sda2', '/'], { reformat: '', mountoptions: 'noatime' }],
        [['/dev/sdb1', 'none'], {}],
      ],
    );
    assert.deepEqual(commandOf(parsed, 'snapshot')?.options, { name: 'pre', when: 'pre-install' });
  });
  cases([
    {
      name: 'the mount point is a path or none',
      lines: ['mount /dev/sda1 home', 'mount /dev/sda2 none', 'mount /dev/sda3 NONE'],
      errors: ['line 1: mount: the mount point must be an absolute path or none, got "home"'],
    },
    {
      name: 'mount needs a device and a mount point',
      lines: ['mount /dev/sda1'],
      errors: ['line 1: mount: expects 2 arguments (a device and a mount point), got 1'],
    },
    {
      name: 'one device a mount point',
      lines: ['mount /dev/sda1 /srv', 'mount /dev/sdb1 /srv/'],
      warnings: [
        'line 2: mount: a device mounted at "/srv" was already declared at line 1; the last one wins',
      ],
    },
    {
      name: 'mkfs options need --reformat',
      lines: ['mount /dev/sda1 / --mkfsoptions=-m0'],
      errors: ['line 1: mount: --mkfsoptions needs --reformat'],
    },
    {
      name: 'snapshot needs --name and --when',
      lines: ['snapshot vg0/root'],
      errors: ['line 1: snapshot: --name is required', 'line 1: snapshot: --when is required'],
    },
    {
      name: 'a bad --when',
      lines: ['snapshot vg0/root --name=x --when=later'],
      errors: ['line 1: snapshot: --when expects one of pre-install, post-install, got "later"'],
    },
    {
      name: 'the same snapshot twice',
      lines: [
        'snapshot vg0/root --name=x --when=pre-install',
        'snapshot vg0/home --name=x --when=post-install',
      ],
      errors: ['line 2: snapshot: a snapshot named "x" was already declared at line 1'],
    },
    {
      name: 'the origin is VG/LV',
      lines: [
        'snapshot lv --name a --when post-install',
        'snapshot vg//lv --name b --when post-install',
        'snapshot vg/ --name c --when post-install',
        'snapshot vg/lv --name d --when POST-install',
      ],
      errors: [
        'line 1: snapshot: the origin must be VG/LV (a volume group and a logical volume), got "lv"',
        'line 2: snapshot: the origin must be VG/LV (a volume group and a logical volume), got "vg//lv"',
        'line 3: snapshot: the origin must be VG/LV (a volume group and a logical volume), got "vg/"',
      ],
    },
  ]);
});

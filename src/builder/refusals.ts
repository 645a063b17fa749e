// Every refusal the native builder makes from a job's inputs alone (kickstart, type, arch, extra repos and
// packages), each with an input that triggers it. The plan (plan.ts) can refuse only with a code of this table,
// and the tests make one submit and one lint test per row from the examples, so a refusal added here is
// refused at submit, with its line, or the tests fail for want of an example.

export interface RefusalExample {
  kickstart: string;
  type: string;
  arch: string;
  tokenmap?: string;
  extraRepos?: string[];
  packages?: string[];
  /** The line the refusal names (0: the job as a whole, e.g. its type). */
  line: number;
  /** A part of the message the refusal gives. */
  says: string;
}

export interface Refusal {
  summary: string;
  /**
   * The job field that is wrong, rather than a kickstart line (the API's name): the service answers these as bad
   * requests, and may refuse them by its own field rules first.
   */
  field?: 'type' | 'arch' | 'tokenmap' | 'extra_repos';
  example: RefusalExample;
}

const x86Raw = { type: 'raw', arch: 'x86_64' };

export const refusals = {
  syntax: {
    summary: 'a kickstart that does not read (pykickstart DEVEL rules, %include of server files included)',
    example: { kickstart: 'lang C\npart / --size=big\n', type: 'fs', arch: 'x86_64', line: 2, says: 'part' },
  },
  tokenmap: {
    summary: 'a tokenmap that is not TOKEN:VALUE,…',
    field: 'tokenmap',
    example: {
      kickstart: 'lang C\n',
      type: 'fs',
      arch: 'x86_64',
      tokenmap: 'NOVALUE',
      line: 0,
      says: 'NOVALUE',
    },
  },
  overlay: {
    summary: 'an extra repository or package entry that is not one kickstart line',
    field: 'extra_repos',
    example: {
      kickstart: 'lang C\n',
      type: 'fs',
      arch: 'x86_64',
      extraRepos: [' '],
      line: 0,
      says: 'extra repo 1 is empty',
    },
  },
  'unknown-type': {
    summary: 'an image type IMG does not know',
    field: 'type',
    example: {
      kickstart: 'lang C\n',
      type: 'floppy',
      arch: 'x86_64',
      line: 0,
      says: 'unknown image type floppy',
    },
  },
  'mic-only-type': {
    summary: 'an image type only the mic backend makes',
    field: 'type',
    example: {
      kickstart: 'lang C\n',
      type: 'nand',
      arch: 'x86_64',
      line: 0,
      says: 'only by the mic backend',
    },
  },
  'unknown-arch': {
    summary: 'an architecture IMG cannot build for',
    field: 'arch',
    example: {
      kickstart: 'lang C\n',
      type: 'fs',
      arch: 'sparc',
      line: 0,
      says: 'architecture sparc cannot be built',
    },
  },
  'bootable-arch': {
    summary: 'a bootable image (GRUB for BIOS and UEFI) for an architecture other than x86',
    example: {
      kickstart: 'lang C\n',
      type: 'raw',
      arch: 'aarch64',
      line: 0,
      says: 'bootable images are built for x86_64 and i686 only',
    },
  },
  'unsupported-command': {
    summary:
      'a storage or payload command the native builder cannot make (LVM, RAID, btrfs volumes, liveimg, OSTree)',
    example: {
      kickstart:
        'lang C\npart pv.01 --size=1000\nvolgroup vg00 pv.01\nlogvol / --vgname=vg00 --name=root --size=900\n',
      ...x86Raw,
      line: 3,
      says: 'volgroup: the native builder does not make LVM volume groups',
    },
  },
  'repo-without-baseurl': {
    summary: 'a repository with neither --baseurl nor --mirrorlist nor --metalink',
    example: {
      kickstart: 'repo --name=fedora\n',
      type: 'fs',
      arch: 'x86_64',
      line: 1,
      says: 'repo fedora: the native builder needs --baseurl, --mirrorlist or --metalink',
    },
  },
  'mirror-list-url': {
    summary:
      'a mirror list or metalink that is not an http(s) URL (a file: one would be a file of the build host)',
    example: {
      kickstart: 'repo --name=fedora --mirrorlist=file:///etc/shadow\n',
      type: 'fs',
      arch: 'x86_64',
      line: 1,
      says: 'repo fedora: a mirror list or metalink is an http:// or https:// URL',
    },
  },
  'signing-key': {
    summary: 'a repository signing key from a server path outside the admin key folder',
    example: {
      kickstart:
        'repo --name=deb --baseurl=http://deb.example/debian --suite=bookworm --gpgkey=file:/etc/shadow\n',
      type: 'fs',
      arch: 'x86_64',
      line: 1,
      says: 'repo deb:',
    },
  },
  'apt-without-suite': {
    summary: 'an apt archive without the suite to install from',
    example: {
      kickstart: 'repo --name=deb --baseurl=http://deb.example/debian --type=apt\n',
      type: 'fs',
      arch: 'x86_64',
      line: 1,
      says: 'an apt archive needs --suite=',
    },
  },
  'apt-word': {
    summary:
      "an apt suite or component that is not a plain word (it goes into the host apt's package pattern)",
    example: {
      kickstart: 'repo --name=deb --baseurl=http://deb.example/debian --suite=bookworm$),?true\n',
      type: 'fs',
      arch: 'x86_64',
      line: 1,
      says: 'is not a plain word',
    },
  },
  'repo-name': {
    summary: "an rpm repository name dnf's command line would misread (`*` names every repository)",
    example: {
      kickstart: 'repo --name=* --baseurl=http://rpm.example/os --type=rpm\n',
      type: 'fs',
      arch: 'x86_64',
      line: 1,
      says: "an rpm repository's name",
    },
  },
  'apt-package-name': {
    summary: 'a package for apt that is an apt pattern or a path, not a name',
    example: {
      kickstart:
        'repo --name=deb --baseurl=http://deb.example/debian --suite=bookworm\n%packages\nbash\n?true\n%end\n',
      type: 'fs',
      arch: 'x86_64',
      line: 4,
      says: '"?true" is not a Debian package name',
    },
  },
  'rpm-package-name': {
    summary:
      'a package for dnf that is a path, a URL or an option, not a name (dnf would fetch a URL past the keys)',
    example: {
      kickstart:
        'repo --name=rpms --baseurl=http://rpm.example/os --type=rpm\n%packages\nbash\nhttp://evil.example/x.rpm\n%end\n',
      type: 'fs',
      arch: 'x86_64',
      line: 4,
      says: '"http://evil.example/x.rpm" is not an rpm package name',
    },
  },
  'inst-langs': {
    summary:
      "a %packages --inst-langs that is not a list of language codes (it becomes rpm's %_install_langs)",
    example: {
      kickstart:
        'repo --name=rpms --baseurl=http://rpm.example/os --type=rpm\n%packages --inst-langs="en%(id)"\nbash\n%end\n',
      type: 'fs',
      arch: 'x86_64',
      line: 2,
      says: '--inst-langs',
    },
  },
  firewall: {
    summary: 'a firewall service, port or interface that firewalld could not name',
    example: {
      kickstart: 'lang C\nfirewall --enabled --port="22;reboot"\n',
      type: 'fs',
      arch: 'x86_64',
      line: 2,
      says: 'firewall --port',
    },
  },
  network: {
    summary: 'a static network whose address, netmask, gateway, name server or device is not one',
    example: {
      kickstart: 'lang C\nnetwork --bootproto=static --ip=10.0.0.300 --netmask=255.255.255.0\n',
      type: 'fs',
      arch: 'x86_64',
      line: 2,
      says: 'network --ip',
    },
  },
  'mixed-package-managers': {
    summary: 'apt archives and rpm repositories in one image',
    example: {
      kickstart:
        'repo --name=deb --baseurl=http://deb.example/debian --suite=bookworm\nrepo --name=rpms --baseurl=http://rpm.example/os --type=rpm\n',
      type: 'fs',
      arch: 'x86_64',
      line: 2,
      says: 'one image uses one package manager',
    },
  },
  'apt-group': {
    summary: 'a %packages group with no Debian task package',
    example: {
      kickstart: 'lang C\n%packages\n@Core_Stuff\n%end\n',
      type: 'fs',
      arch: 'x86_64',
      line: 3,
      says: 'group "Core_Stuff" has no apt equivalent',
    },
  },
  'part-mountpoint': {
    summary: 'a partition other than /, /boot, /boot/efi and swap',
    example: {
      kickstart: 'part / --size=1000\npart /home --size=100\n',
      ...x86Raw,
      line: 2,
      says: 'part /home: the native builder makes only /, /boot, /boot/efi and swap partitions',
    },
  },
  'part-fstype': {
    summary: 'a filesystem the builder cannot make',
    example: {
      kickstart: 'lang C\npart / --fstype=ext9 --size=1000\n',
      ...x86Raw,
      line: 2,
      says: '--fstype=ext9 is not one of ext4, xfs, btrfs, vfat, swap',
    },
  },
  'layout-fstype': {
    summary: 'a filesystem a partition cannot have (a vfat root, an ext4 ESP)',
    example: {
      kickstart: 'part / --size=1000\npart /boot/efi --fstype=ext4 --size=100\n',
      ...x86Raw,
      line: 2,
      says: '/boot/efi must be vfat, not ext4',
    },
  },
} as const satisfies Record<string, Refusal>;

export type RefusalCode = keyof typeof refusals;

/** One reason a job cannot be built, with the line of the kickstart it concerns (0: the job as a whole). */
export interface PlanError {
  code: RefusalCode;
  line: number;
  /** Without the line: callers show it as they show lines. */
  message: string;
  /** The file a syntax error is in (an included one, say). */
  file?: string;
}

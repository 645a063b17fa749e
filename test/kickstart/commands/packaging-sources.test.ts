import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseKickstart } from '../../../src/kickstart/index.ts';
import { commandOf, commandsOf } from '../../../src/kickstart/query.ts';
import { cases, ks, parseClean } from './helpers.ts';

describe('url', () => {
  test('a URL with a proxy', () => {
    const url = commandOf(
      parseClean(
        ks(
          'url --url=http://dl.fedoraproject.org/pub/fedora/linux/releases/40/Everything/x86_64/os/ --proxy=http://p:3128',
        ),
      ),
      'url',
    );
    assert.deepEqual(url?.options, {
      url: 'http://dl.fedoraproject.org/pub/fedora/linux/releases/40/Everything/x86_64/os/',
      proxy: 'http://p:3128',
    });
  });
  test('a mirror list', () => {
    assert.deepEqual(
      commandOf(
        parseClean(ks('url --mirrorlist=https://mirrors.fedoraproject.org/mirrorlist?repo=fedora-40')),
        'url',
      )?.options,
      { mirrorlist: 'https://mirrors.fedoraproject.org/mirrorlist?repo=fedora-40' },
    );
  });
  test("IMG's apt spelling", () => {
    const url = commandOf(
      parseClean(
        ks('url --url=http://deb.debian.org/debian --suite=bookworm --components=main,contrib --type=apt'),
      ),
      'url',
    );
    assert.deepEqual(url?.options, {
      url: 'http://deb.debian.org/debian',
      suite: 'bookworm',
      components: ['main', 'contrib'],
      type: 'apt',
    });
  });
  cases([
    {
      name: 'needs a source',
      lines: ['lang C', 'url --proxy=http://p'],
      errors: ['line 2: url: expects one of --url, --mirrorlist or --metalink'],
    },
    {
      name: 'one source only',
      lines: ['url --url=http://a --metalink=http://b'],
      errors: ['line 1: url: takes only one of --url, --mirrorlist or --metalink, got --url and --metalink'],
    },
    {
      name: '--components without --suite',
      lines: ['url --url=http://a --components=main'],
      errors: ['line 1: url: --components needs --suite (components belong to an apt suite)'],
    },
    {
      name: '--suite with a mirror list',
      lines: ['url --mirrorlist=http://m --suite=bookworm'],
      errors: [
        'line 1: url: --suite cannot be used with --mirrorlist: an apt archive is given by its base URL',
      ],
    },
    {
      name: '--type is apt or rpm',
      lines: ['url --url=http://a --type=deb'],
      errors: ['line 1: url: --type expects one of apt, rpm, got "deb"'],
    },
    {
      name: "IMG's options are refused in pykickstart's own syntax",
      lines: ['url --url=http://a --suite=bookworm'],
      options: { extensions: false },
      errors: ['line 1: url: --suite is a img extension, not pykickstart syntax'],
    },
    {
      name: 'a later source replaces an earlier one',
      lines: ['cdrom', 'url --url=http://a'],
      warnings: ['line 2: url: replaces cdrom (line 1)'],
    },
  ]);
});

describe('repo', () => {
  test("pykickstart's options", () => {
    const repo = commandOf(
      parseClean(
        ks(
          'repo --name=updates --baseurl=http://r/updates/ --cost=10 --includepkgs=a,b* --excludepkgs=c --install --noverifyssl --sslcacert=/ca.pem',
        ),
      ),
      'repo',
    );
    assert.deepEqual(repo?.options, {
      name: 'updates',
      baseurl: 'http://r/updates/',
      cost: 10,
      includepkgs: ['a', 'b*'],
      excludepkgs: ['c'],
      install: true,
      noverifyssl: true,
      sslcacert: '/ca.pem',
    });
  });
  test("mic's options", () => {
    const repo = commandOf(
      parseClean(
        ks(
          'repo --name=mer --baseurl=http://r/@ARCH@/ --save --debuginfo --source --disable --nocache --gpgkey=file:///k --ssl_verify=no --priority=1 --user=u --passwd=p --proxy=http://p --proxyuser=pu --proxypasswd=pp',
        ),
      ),
      'repo',
    );
    assert.deepEqual(repo?.options, {
      name: 'mer',
      baseurl: 'http://r/@ARCH@/',
      save: true,
      debuginfo: true,
      source: true,
      disable: true,
      nocache: true,
      gpgkey: 'file:///k',
      ssl_verify: 'no',
      priority: 1,
      user: 'u',
      passwd: 'p',
      proxy: 'http://p',
      proxyuser: 'pu',
      proxypasswd: 'pp',
    });
  });
  test("IMG's apt spelling, and repos kept in order", () => {
    const repos = commandsOf(
      parseClean(
        ks(
          'repo --name=debian --baseurl=http://deb.debian.org/debian --suite=bookworm --components=main,non-free-firmware',
          'repo --name=fedora --metalink=https://m/metalink?repo=fedora-40',
        ),
      ),
      'repo',
    );
    assert.deepEqual(
      repos.map((r) => r.options),
      [
        {
          name: 'debian',
          baseurl: 'http://deb.debian.org/debian',
          suite: 'bookworm',
          components: ['main', 'non-free-firmware'],
        },
        { name: 'fedora', metalink: 'https://m/metalink?repo=fedora-40' },
      ],
    );
  });
  cases([
    {
      name: 'needs --name',
      lines: ['repo --baseurl=http://a'],
      errors: ['line 1: repo: --name is required'],
    },
    {
      name: 'one source only',
      lines: ['lang C', 'repo --name=a --baseurl=http://a --mirrorlist=http://m'],
      errors: [
        'line 2: repo: takes only one of --baseurl, --mirrorlist or --metalink, got --baseurl and --mirrorlist',
      ],
    },
    {
      name: 'no URL at all names no repository',
      lines: ['repo --name=updates'],
      warnings: [
        'line 1: repo: has no --baseurl, --mirrorlist or --metalink, so it names no repository IMG can use',
      ],
    },
    {
      name: 'the same name twice',
      lines: ['repo --name=a --baseurl=http://1', 'repo --name=a --baseurl=http://2'],
      warnings: ['line 2: repo: a repository named "a" was already declared at line 1; the last one wins'],
    },
    {
      name: '--cost is a number',
      lines: ['repo --name=a --baseurl=http://a --cost=low'],
      errors: ['line 1: repo: --cost expects a number, got "low"'],
    },
    {
      name: '--priority is 1 to 99',
      lines: ['repo --name=a --baseurl=http://a --priority=100'],
      errors: ['line 1: repo: --priority expects a number of at most 99, got "100"'],
    },
    {
      name: '--ssl_verify is yes or no',
      lines: ['repo --name=a --baseurl=http://a --ssl_verify=maybe'],
      errors: ['line 1: repo: --ssl_verify expects one of yes, no, got "maybe"'],
    },
    {
      name: '--ignoregroups is gone',
      lines: ['repo --name=a --baseurl=http://a --ignoregroups true'],
      errors: ['line 1: repo: --ignoregroups is no longer supported: it only ever affected compose tools'],
    },
    {
      name: 'an ambiguous prefix',
      lines: ['repo --name=a --baseurl=http://a --pro=http://p'],
      errors: ['line 1: repo: ambiguous option "--pro" could be --proxy, --proxypasswd, --proxyuser'],
    },
    {
      name: "mic's options are refused in pykickstart's own syntax",
      lines: ['repo --name=a --baseurl=http://a --save'],
      options: { extensions: false },
      errors: ['line 1: repo: --save is a mic extension, not pykickstart syntax'],
    },
    {
      name: '--suite contradicts --type=rpm',
      lines: ['repo --name=a --baseurl=http://a --suite=bookworm --type=rpm'],
      errors: ['line 1: repo: --suite names an apt suite, but --type=rpm says the source is rpm'],
    },
    {
      name: '--suite with a metalink',
      lines: ['repo --name=a --metalink=http://m --suite=bookworm'],
      errors: [
        'line 1: repo: --suite cannot be used with --metalink: an apt archive is given by its base URL',
      ],
    },
    {
      name: '--components without --suite',
      lines: ['repo --name=a --baseurl=http://a --components=main'],
      errors: ['line 1: repo: --components needs --suite (components belong to an apt suite)'],
    },
    {
      name: 'takes no arguments',
      lines: ['repo --name=a --baseurl=http://a extra'],
      errors: ['line 1: repo: takes no arguments, got "extra"'],
    },
  ]);
});

describe('other installation sources', () => {
  test('cdrom, harddrive, nfs, hmc: the last one is the source', () => {
    const parsed = parseClean(ks('harddrive --partition=sdb1 --dir=/fedora'));
    assert.deepEqual(commandOf(parsed, 'harddrive')?.options, { partition: 'sdb1', dir: '/fedora' });
    assert.deepEqual(
      commandOf(parseClean(ks('nfs --server=nfs.example.com --dir=/tree --opts=nolock')), 'nfs')?.options,
      { server: 'nfs.example.com', dir: '/tree', opts: 'nolock' },
    );
    assert.ok(commandOf(parseClean(ks('hmc')), 'hmc'));
    assert.ok(commandOf(parseClean(ks('cdrom')), 'cdrom'));
  });
  test('liveimg and ostreesetup', () => {
    assert.deepEqual(
      commandOf(
        parseClean(ks('liveimg --url=file:///img/squashfs.img --checksum=abc --noverifyssl')),
        'liveimg',
      )?.options,
      { url: 'file:///img/squashfs.img', checksum: 'abc', noverifyssl: true },
    );
    assert.deepEqual(
      commandOf(
        parseClean(
          ks(
            'ostreesetup --osname=fedora-atomic --remote=fedora --url=http://o/repo --ref=fedora/x86_64 --nogpg',
          ),
        ),
        'ostreesetup',
      )?.options,
      { osname: 'fedora-atomic', remote: 'fedora', url: 'http://o/repo', ref: 'fedora/x86_64', nogpg: true },
    );
  });
  test('updates', () => {
    assert.deepEqual(commandOf(parseClean(ks('updates http://u/updates.img')), 'updates')?.args, [
      'http://u/updates.img',
    ]);
  });
  test('ostreecontainer and bootc: image-based systems from a container image', () => {
    assert.deepEqual(
      commandOf(
        parseClean(
          ks(
            'ostreecontainer --url=quay.io/fedora/silverblue:41 --transport=registry --no-signature-verification',
          ),
        ),
        'ostreecontainer',
      )?.options,
      { url: 'quay.io/fedora/silverblue:41', transport: 'registry', 'no-signature-verification': true },
    );
    assert.deepEqual(
      commandOf(
        parseClean(
          ks(
            'bootc --source-imgref="quay.io/centos-bootc/centos-bootc:stream9" --bootloader=grub --composefs',
          ),
        ),
        'bootc',
      )?.options,
      { 'source-imgref': 'quay.io/centos-bootc/centos-bootc:stream9', bootloader: 'grub', composefs: true },
    );
  });
  cases([
    {
      name: 'harddrive needs --partition and --dir',
      lines: ['harddrive --dir=/x'],
      errors: ['line 1: harddrive: --partition is required'],
    },
    {
      name: 'harddrive --biospart is gone',
      lines: ['harddrive --biospart=80p1 --partition=sda1 --dir=/x'],
      errors: ['line 1: harddrive: --biospart is no longer supported: use --partition'],
    },
    {
      name: 'nfs needs --server and --dir',
      lines: ['nfs'],
      errors: ['line 1: nfs: --server is required', 'line 1: nfs: --dir is required'],
    },
    {
      name: 'liveimg needs --url',
      lines: ['liveimg --checksum=abc'],
      errors: ['line 1: liveimg: --url is required'],
    },
    {
      name: 'updates names its image, as pykickstart DEVEL wants',
      lines: ['updates'],
      errors: ['line 1: updates: expects 1 argument (the URL of an updates image), got 0'],
    },
    {
      name: 'bootc needs its source image',
      lines: ['bootc --target-imgref=quay.io/x'],
      errors: ['line 1: bootc: --source-imgref is required'],
    },
    {
      name: 'one image-based payload: ostreesetup, ostreecontainer and bootc exclude each other',
      lines: [
        'ostreesetup --osname=f --url=http://o/repo --ref=r',
        'ostreecontainer --url=quay.io/x',
        'bootc --source-imgref=quay.io/y',
      ],
      errors: [
        'line 2: ostreecontainer: cannot be used with ostreesetup (line 1)',
        'line 3: bootc: cannot be used with ostreesetup (line 1)',
        'line 3: bootc: cannot be used with ostreecontainer (line 2)',
      ],
    },
    {
      name: 'ostreesetup fetches from file, HTTP or HTTPS',
      lines: ['ostreesetup --osname=f --url=ftp://o/repo --ref=r'],
      errors: ['line 1: ostreesetup: --url must be a file:, http: or https: URL, got "ftp://o/repo"'],
    },
    {
      name: 'ostreesetup needs its three options',
      lines: ['ostreesetup --osname=x'],
      errors: ['line 1: ostreesetup: --url is required', 'line 1: ostreesetup: --ref is required'],
    },
    {
      name: 'one updates image',
      lines: ['updates a b'],
      errors: ['line 1: updates: too many arguments (the URL of an updates image): "a" "b"'],
    },
    {
      name: 'cdrom takes nothing',
      lines: ['cdrom --device=sr0'],
      errors: ['line 1: cdrom: unknown option "--device"'],
    },
    {
      name: 'liveimg replaces url',
      lines: ['url --url=http://a', 'liveimg --url=http://b/img'],
      warnings: ['line 2: liveimg: replaces url (line 1)'],
    },
  ]);
});

describe('module', () => {
  test('streams are all kept, each with a warning that Fedora dropped them', () => {
    const result = parseKickstart(
      ks('module --name=nodejs --stream=18', 'module --name=postgresql --disable'),
    );
    assert.equal(result.errors.length, 0);
    assert.equal(result.warnings.length, 2);
    assert.deepEqual(
      commandsOf(result.kickstart, 'module').map((m) => m.options),
      [
        { name: 'nodejs', stream: '18' },
        { name: 'postgresql', disable: true },
      ],
    );
  });
  cases([
    {
      name: 'needs --name',
      lines: ['module --stream=18'],
      errors: ['line 1: module: --name is required'],
      warnings: [
        'line 1: module: module streams are gone from current Fedora; kept for RHEL 8 and 9 kickstarts',
      ],
    },
  ]);
});

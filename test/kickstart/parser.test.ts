import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatKickstart } from '../../src/kickstart/format.ts';
import { kickstartMeaning } from '../../src/kickstart/meaning.ts';
import type { ParseOptions, ParseResult } from '../../src/kickstart/parser.ts';
import { parseKickstart } from '../../src/kickstart/parser.ts';

/** Every diagnostic as `LINE severity message`, the way an author reads them. */
function report(result: ParseResult): string[] {
  return result.diagnostics.map((d) => `${d.line} ${d.severity} ${d.message}`);
}

function parse(lines: string[], options: ParseOptions = {}): ParseResult {
  return parseKickstart(`${lines.join('\n')}\n`, options);
}

function clean(lines: string[], options: ParseOptions = {}): ParseResult {
  const result = parse(lines, options);
  assert.deepEqual(report(result), []);
  return result;
}

describe('commands', () => {
  it('reads commands with options and arguments, in file order', () => {
    const { kickstart } = clean([
      'lang en_US.UTF-8',
      'part /boot --size 500 --fstype=ext4',
      'partition / --grow',
    ]);
    assert.deepEqual(
      kickstart.commands.map(({ name, args, options }) => ({ name, args, options })),
      [
        { name: 'lang', args: ['en_US.UTF-8'], options: {} },
        { name: 'part', args: ['/boot'], options: { size: 500, fstype: 'ext4' } },
        { name: 'part', args: ['/'], options: { grow: true } },
      ],
    );
    assert.deepEqual(kickstart.commands[1]!.location, { file: '<kickstart>', line: 2 });
  });

  it('skips blank lines and comments, and ends a command line at #', () => {
    const { kickstart } = clean(['', '   # comment', '\tlang en_US # the language', '#lang fi_FI']);
    assert.deepEqual(kickstart.commands[0]!.args, ['en_US']);
    assert.equal(kickstart.commands.length, 1);
  });

  it('names an unknown command', () => {
    assert.deepEqual(report(parse(['lang en_US', '', 'frobnicate --now'])), [
      '3 error unknown command "frobnicate"',
    ]);
  });

  it('says what a bad value should have been', () => {
    assert.deepEqual(report(parse(['lang en_US', 'part / --size=big'])), [
      '2 error part: --size expects a number, got "big"',
    ]);
  });

  it('reports an unterminated quote at its line', () => {
    assert.deepEqual(report(parse(['lang en_US', "rootpw 'secret"])), ['2 error unterminated quote']);
  });

  it('checks argument counts and conflicting options', () => {
    // The commands' own words for their arguments are theirs to change; the count and the line are checked here.
    const [missing, extra, conflict, ...rest] = parse([
      'part',
      'lang a b',
      'rescue --nomount --romount',
    ]).errors;
    assert.deepEqual(rest, []);
    assert.equal(missing!.line, 1);
    assert.match(missing!.message, /^part: expects 1 argument .*, got 0$/);
    assert.equal(extra!.line, 2);
    assert.match(extra!.message, /^lang: too many arguments .*"b"$/);
    assert.equal(conflict!.line, 3);
    assert.equal(conflict!.message, 'rescue: --nomount and --romount cannot be used together');
  });

  it('accepts an unambiguous prefix of an option and names the candidates of an ambiguous one', () => {
    const result = parse(['bootloader --disable', '%packages --ex', '%end']);
    assert.deepEqual(report(result), [
      '2 error %packages: ambiguous option "--ex" could be --exclude-weakdeps, --excludeWeakdeps, --excludedocs',
    ]);
    assert.deepEqual(result.kickstart.commands[0]!.options, { disabled: true });
  });

  it('reports a missing required option and a dangling backslash', () => {
    assert.deepEqual(report(parse(['repo --baseurl=http://x/', 'lang en_US \\'])), [
      '1 error repo: --name is required',
      '2 error a backslash ends the line with nothing to escape',
    ]);
  });

  it('warns for a command given twice, keeping the last', () => {
    const result = parse(['lang en_US', 'lang fi_FI']);
    assert.deepEqual(report(result), ['2 warning lang: given again; this one replaces line 1']);
    assert.deepEqual(
      result.kickstart.commands.map((c) => c.args[0]),
      ['fi_FI'],
    );
  });

  it('warns when one command replaces another of its kind', () => {
    const result = parse(['poweroff', 'text', 'reboot --eject']);
    assert.deepEqual(report(result), ['3 warning reboot: replaces poweroff (line 1)']);
    assert.deepEqual(
      result.kickstart.commands.map((c) => c.name),
      ['text', 'reboot'],
    );
  });

  it('refuses arguments to a command that takes none', () => {
    assert.deepEqual(report(parse(['zerombr now'])), ['1 error zerombr: takes no arguments, got "now"']);
  });

  it('warns for a mount point declared twice; the last wins', () => {
    const result = parse(['part /boot --size=500', 'part / --size=900', 'part /boot --size=600']);
    assert.deepEqual(report(result), [
      '3 warning part: a partition with the mount point "/boot" was already declared at line 1; the last one wins',
    ]);
    assert.deepEqual(
      result.kickstart.commands.map((c) => [c.args[0], c.options]),
      [
        ['/', { size: 900 }],
        ['/boot', { size: 600 }],
      ],
    );
  });

  it('accepts dropped commands with a warning and ignores them', () => {
    const result = parse(['auth --useshadow --enablemd5', 'authconfig --enableshadow']);
    assert.deepEqual(report(result), [
      '1 warning auth: dropped from pykickstart (use authselect); ignored',
      '2 warning authconfig: dropped from pykickstart (use authselect); ignored',
    ]);
    assert.deepEqual(result.kickstart.commands, []);
  });

  it('warns for deprecated options', () => {
    assert.deepEqual(report(parse(['timezone --isUtc Europe/Helsinki'])), [
      '1 warning timezone: --isUtc is deprecated: use --utc',
    ]);
  });

  it('refuses mic extensions in strict pykickstart mode', () => {
    const lines = [
      '# -*-mic-options-*- fs -*-mic-options-*-',
      'part / --size=9 --align=4',
      '%attachment',
      '%end',
    ];
    assert.deepEqual(report(parse(lines, { extensions: false })), [
      '1 error the mic options header is a mic extension',
      '2 error part: --align is a mic extension, not pykickstart syntax',
      '3 error %attachment: %attachment is a mic extension, not pykickstart syntax',
    ]);
    assert.deepEqual(report(parse(['desktop --autologinuser=nemo'], { extensions: false })), [
      '1 error desktop: a mic extension, not pykickstart syntax',
    ]);
    clean(lines);
  });

  it('reports every recoverable error in one pass', () => {
    const result = parse([
      'frobnicate',
      'part / --size=big',
      'lang "en_US',
      'part /home --size 10 --bogus',
      '%packages',
      '@',
      '%end',
      '%end',
      '%post',
      'echo unclosed',
    ]);
    assert.deepEqual(report(result), [
      '1 error unknown command "frobnicate"',
      '2 error part: --size expects a number, got "big"',
      '3 error unterminated quote',
      '4 error part: unknown option "--bogus"',
      '6 warning %packages: "@" names no group; ignored',
      '8 error %end without an open section',
      '10 error %post is not closed by %end (it starts at line 9)',
    ]);
    assert.equal(result.ok, false);
    assert.equal(result.errors.length, 6);
  });
});

describe('%packages', () => {
  it('reads options, packages, groups, environments and excludes', () => {
    const { kickstart } = clean([
      '%packages --excludedocs --ignoremissing --nocore --inst-langs=en:fi --exclude-weakdeps --multilib --timeout 3',
      '@^server-product-environment',
      '@core',
      '@MeeGo  Core   --nodefaults',
      '@Development Tools --optional',
      'vim-enhanced   # the editor',
      'python3-*',
      '-@dial-up',
      '-emacs',
      '',
      '# comment',
      '%end',
    ]);
    const { location, ...selection } = kickstart.packages!;
    assert.deepEqual(location, { file: '<kickstart>', line: 1 });
    assert.deepEqual(selection, {
      options: {
        excludedocs: true,
        ignoremissing: true,
        nocore: true,
        'inst-langs': 'en:fi',
        'exclude-weakdeps': true,
        multilib: true,
        timeout: 3,
      },
      environment: 'server-product-environment',
      groups: [
        { name: 'core', include: 'default' },
        { name: 'MeeGo Core', include: 'required' },
        { name: 'Development Tools', include: 'all' },
      ],
      packages: ['vim-enhanced', 'python3-*'],
      excludedGroups: ['dial-up'],
      excludedPackages: ['emacs'],
    });
  });

  it('merges several sections; a later line wins over an earlier one', () => {
    const { kickstart, diagnostics } = parse([
      '%packages --excludedocs',
      'vim',
      '-emacs',
      '@core',
      '@base --optional',
      '%end',
      'lang en_US',
      '%packages --ignoremissing',
      '-vim',
      'emacs',
      '-@core',
      '@base',
      '%end',
    ]);
    assert.deepEqual(
      diagnostics.map((d) => d.line),
      [8],
    );
    const selection = kickstart.packages!;
    assert.deepEqual(selection.packages, ['emacs']);
    assert.deepEqual(selection.excludedPackages, ['vim']);
    assert.deepEqual(selection.groups, [{ name: 'base', include: 'default' }]);
    assert.deepEqual(selection.excludedGroups, ['core']);
    assert.equal(selection.location.line, 1);
  });

  it('takes its options from the latest header, keeping only --default and --inst-langs, as pykickstart does', () => {
    const result = parse([
      '%packages --default --inst-langs=fi --excludedocs --multilib',
      '%end',
      '%packages --ignoremissing',
      '%end',
      '%packages --ignoremissing --nocore',
      '%end',
      '%packages --default --nocore',
      '%end',
    ]);
    // pykickstart checks each header on its own: a --default kept from an earlier one only earns a warning.
    assert.deepEqual(report(result), [
      '3 warning %packages: --excludedocs, --multilib (line 1) no longer apply: each %packages header sets its options anew',
      '5 warning %packages: --default and --nocore cannot be used together (one kept from an earlier header)',
      '7 warning %packages: --ignoremissing (line 5) no longer applies: each %packages header sets its options anew',
      '7 error %packages: --default and --nocore cannot be used together',
    ]);
    assert.deepEqual(result.kickstart.packages!.options, {
      default: true,
      'inst-langs': 'fi',
      nocore: true,
    });
  });

  it('writes a kept --default with --nocore as two headers, the only way pykickstart reads them', () => {
    const kept = parse(['%packages --default', '%end', '%packages --nocore', 'vim', '%end']).kickstart;
    const formatted = formatKickstart(kept);
    assert.equal(formatted, '%packages --default\n%end\n%packages --nocore\nvim\n%end\n');
    const again = parse([formatted]);
    assert.deepEqual(again.errors, []);
    assert.deepEqual(again.kickstart.packages?.options, { default: true, nocore: true });
  });

  it('accepts a group option given twice', () => {
    const { kickstart } = clean(['%packages', '@g --nodefaults --nodefaults', '%end']);
    assert.deepEqual(kickstart.packages!.groups, [{ name: 'g', include: 'required' }]);
  });

  it('warns for --instLangs and --excludeWeakdeps and stores their new spellings', () => {
    const result = parse(['%packages --instLangs=en --excludeWeakdeps', '%end']);
    assert.deepEqual(report(result), [
      '1 warning %packages: --instLangs is deprecated: use --inst-langs',
      '1 warning %packages: --excludeWeakdeps is deprecated: use --exclude-weakdeps',
    ]);
    assert.deepEqual(result.kickstart.packages!.options, { 'inst-langs': 'en', 'exclude-weakdeps': true });
  });

  it('reports bad lines and headers, each at its line', () => {
    assert.deepEqual(
      report(
        parse([
          '%packages --nobase extra',
          '@',
          '-@',
          '@^',
          '-',
          'two words',
          '@g --nodefaults --optional',
          '@g --bogus',
          '%foo',
          '%end',
        ]),
      ),
      [
        '1 error %packages: --nobase is no longer supported: pykickstart dropped it; the base group is no longer implied',
        '1 error %packages: unexpected argument "extra"',
        '2 warning %packages: "@" names no group; ignored',
        '3 warning %packages: "-@" names no group; ignored',
        '4 warning %packages: "@^" names no environment; ignored',
        '5 error %packages: "-" needs a package name',
        '6 warning %packages: "two words" is one name with a space in it; one package a line',
        '7 error %packages: --nodefaults and --optional cannot be used together',
        '8 warning %packages: "--bogus" is no group option, so it is part of the group\'s name',
        '9 warning %packages: "%foo" is not a section, so the line is read as a package name',
      ],
    );
  });

  it('reads group options as pykickstart does: a prefix will do, a value will not', () => {
    const result = parse(['%packages', '@a --no', '@b --opt', '@c --optional=yes', '%end']);
    assert.deepEqual(report(result), [
      '4 error %packages: "--optional=yes": --nodefaults and --optional take no value',
    ]);
    assert.deepEqual(result.kickstart.packages?.groups, [
      { name: 'a', include: 'required' },
      { name: 'b', include: 'all' },
      { name: 'c', include: 'default' },
    ]);
  });

  it('drops the environment with -@^ and the same name, as pykickstart does', () => {
    const { kickstart } = clean(['%packages', '@^server-product', '-@^server-product', '-@^other', '%end']);
    assert.equal(kickstart.packages?.environment, null);
    assert.deepEqual(kickstart.packages?.excludedGroups, ['^other']);
  });

  it('is an error when not closed, at the last line read', () => {
    assert.deepEqual(report(parse(['lang en_US', '%packages', 'vim', 'zsh'])), [
      '4 error %packages is not closed by %end (it starts at line 2)',
    ]);
  });
});

describe('scripts', () => {
  it('reads the header options of every script kind', () => {
    const result = parse([
      '%pre --interpreter=/usr/bin/python3 --erroronfail',
      'x',
      '%end',
      '%pre-install --log /tmp/pre.log',
      'x',
      '%end',
      '%post --nochroot --logfile=/mnt/sysimage/root/post.log --interp /bin/bash',
      'x',
      '%end',
      '%onerror',
      'x',
      '%end',
      '%traceback',
      'x',
      '%end',
      '%pack',
      'x',
      '%end',
    ]);
    // pykickstart's DEVEL warns about %traceback too.
    assert.deepEqual(report(result), ['13 warning %traceback: deprecated: use %onerror']);
    assert.deepEqual(
      result.kickstart.scripts.map(({ location, body, ...s }) => ({ line: location.line, ...s })),
      [
        {
          line: 1,
          kind: 'pre',
          interpreter: '/usr/bin/python3',
          nochroot: false,
          erroronfail: true,
          log: null,
        },
        {
          line: 4,
          kind: 'pre-install',
          interpreter: '/bin/sh',
          nochroot: false,
          erroronfail: false,
          log: '/tmp/pre.log',
        },
        {
          line: 7,
          kind: 'post',
          interpreter: '/bin/bash',
          nochroot: true,
          erroronfail: false,
          log: '/mnt/sysimage/root/post.log',
        },
        { line: 10, kind: 'onerror', interpreter: '/bin/sh', nochroot: false, erroronfail: false, log: null },
        {
          line: 13,
          kind: 'traceback',
          interpreter: '/bin/sh',
          nochroot: false,
          erroronfail: false,
          log: null,
        },
        { line: 16, kind: 'pack', interpreter: '/bin/sh', nochroot: false, erroronfail: false, log: null },
      ],
    );
  });

  it('keeps the body byte for byte: tabs, trailing spaces, blank lines, comments, quotes, % lines', () => {
    const body = [
      '#!/bin/sh',
      '\tif [ -f "/x" ]; then   ',
      '',
      "    echo 'unbalanced",
      '# not a kickstart comment',
      'printf "100%\\n" # keep',
      '%foo is not a section',
      '%endless is not %end',
      '   ',
      'é ✓',
    ];
    const { kickstart } = clean(['%post', ...body, '%end']);
    assert.equal(kickstart.scripts[0]!.body, `${body.join('\n')}\n`);
  });

  it('reads CRLF input as LF', () => {
    const result = parseKickstart('%post\r\necho a\r\n\tb \r\n%end\r\n');
    assert.deepEqual(report(result), []);
    assert.equal(result.kickstart.scripts[0]!.body, 'echo a\n\tb \n');
  });

  it('drops a script with nothing but white space in it, as pykickstart does', () => {
    const result = parse(['%pre', '%end', '%post --erroronfail', '', ' \t ', '%end', '%post', ' x', '%end']);
    assert.deepEqual(report(result), []);
    assert.deepEqual(
      result.kickstart.scripts.map((s) => s.body),
      [' x\n'],
    );
  });

  it('ends a script at %end even when indented or followed by a comment', () => {
    const { kickstart } = clean(['%post', 'a', '  %end # done', 'lang en_US']);
    assert.equal(kickstart.scripts[0]!.body, 'a\n');
    assert.equal(kickstart.commands.length, 1);
  });

  it('starts a known section on its %-line inside a script; the unclosed one is an error at that line', () => {
    const result = parse(['%post', 'echo one', '%packages', 'vim', '%end']);
    assert.deepEqual(report(result), ['3 error %post is not closed by %end (it starts at line 1)']);
    assert.equal(result.kickstart.scripts[0]!.body, 'echo one\n');
    assert.deepEqual(result.kickstart.packages!.packages, ['vim']);
  });

  it('is an error when not closed at the end of the file', () => {
    assert.deepEqual(report(parseKickstart('%post\necho a\necho b')), [
      '3 error %post is not closed by %end (it starts at line 1)',
    ]);
    assert.deepEqual(report(parseKickstart('lang en\n%pre')), [
      '2 error %pre is not closed by %end (it starts at line 2)',
    ]);
  });

  it('refuses arguments and unknown options in the header', () => {
    assert.deepEqual(report(parse(['%post /bin/sh --frob', '%end'])), [
      '1 error %post: unknown option "--frob"',
      '1 error %post: unexpected argument "/bin/sh"',
    ]);
    assert.deepEqual(report(parse(['%pre --nochroot', '%end'])), [
      '1 error %pre: unknown option "--nochroot"',
    ]);
  });
});

describe('other sections', () => {
  it('keeps %addon arguments and body verbatim', () => {
    const { kickstart } = clean([
      "%addon com_redhat_kdump --enable --reserve-mb='auto' # comment",
      '# kept',
      '',
      '\tkey = "value"',
      '%end',
    ]);
    const { location, ...addon } = kickstart.addons[0]!;
    assert.deepEqual(addon, {
      name: 'com_redhat_kdump',
      args: ['--enable', '--reserve-mb=auto'],
      body: '# kept\n\n\tkey = "value"\n',
    });
    assert.equal(location.line, 1);
  });

  it('keeps an %addon with no name, as pykickstart does, with a warning', () => {
    const result = parse(['%addon', 'x', '%end']);
    assert.deepEqual(report(result), ['1 warning %addon: no add-on name, so no add-on will read it']);
    assert.deepEqual(
      result.kickstart.addons.map(({ name, args, body }) => ({ name, args, body })),
      [{ name: '', args: [], body: 'x\n' }],
    );
    assert.equal(formatKickstart(result.kickstart), '%addon\nx\n%end\n');
  });

  it('reads %certificate: the file name, where it goes and the text kept as written', () => {
    const pem = [
      '-----BEGIN CERTIFICATE-----',
      'MIIBjTCCATOgAwIBAgIUWR5HO3v',
      '',
      '-----END CERTIFICATE-----',
    ];
    const result = clean([
      '%certificate --filename=ca.pem --dir /etc/pki/ca-trust/source/anchors/',
      ...pem,
      '%end',
      '%certificate --filename custom_ca.pem --type anchor',
      ...pem,
      '%end',
    ]);
    assert.deepEqual(
      result.kickstart.certificates.map(({ location, ...c }) => ({ line: location.line, ...c })),
      [
        {
          line: 1,
          filename: 'ca.pem',
          dir: '/etc/pki/ca-trust/source/anchors/',
          type: null,
          body: `${pem.join('\n')}\n`,
        },
        { line: 7, filename: 'custom_ca.pem', dir: null, type: 'anchor', body: `${pem.join('\n')}\n` },
      ],
    );
    assert.equal(
      formatKickstart(result.kickstart).split('\n')[0],
      '%certificate --filename=ca.pem --dir=/etc/pki/ca-trust/source/anchors/',
    );
  });

  it('writes a %certificate header so that a hostile file name stays one file name', () => {
    const result = clean([
      `%certificate --filename "x.pem --dir=/etc/ssh #" --dir='/etc/pki/it"s'`,
      'pem',
      '%end',
    ]);
    const [certificate] = result.kickstart.certificates;
    assert.equal(certificate?.filename, 'x.pem --dir=/etc/ssh #');
    assert.equal(certificate?.dir, '/etc/pki/it"s');
    const again = clean(formatKickstart(result.kickstart).trimEnd().split('\n'));
    assert.deepEqual(kickstartMeaning(again.kickstart), kickstartMeaning(result.kickstart));
  });

  it('refuses a %certificate without a file name, a place or a certificate', () => {
    assert.deepEqual(
      report(
        parse(['%certificate --dir=/etc/pki', 'x', '%end', '%certificate --filename=a.pem', '  ', '%end']),
      ),
      [
        '1 error %certificate: --filename is required',
        '4 error %certificate: expects --dir or --type (where it goes)',
        '4 error %certificate: the section holds no certificate',
      ],
    );
  });

  it('keeps %anaconda verbatim; a second one wins with a warning', () => {
    const result = parse(['%anaconda', 'pwpolicy root --minlen=6', '%end', '%anaconda', '# x', '%end']);
    assert.deepEqual(report(result), ['4 warning %anaconda given again; this one is used']);
    assert.equal(result.kickstart.anaconda!.body, '# x\n');
  });

  it('reads %prepackages and %attachment one item a line', () => {
    const { kickstart } = clean([
      '%prepackages',
      'kernel-firmware',
      '',
      '# comment',
      '%end',
      '%attachment',
      '/boot/vmlinuz*',
      'a file  # why',
      '%end',
      '%prepackages',
      'busybox',
      '%end',
    ]);
    assert.deepEqual(kickstart.prepackages, ['kernel-firmware', 'busybox']);
    assert.deepEqual(kickstart.attachments, ['/boot/vmlinuz*', 'a file']);
  });

  it('names an unknown section and skips its body', () => {
    const result = parse(['%bogus --x', 'frobnicate', '%end', 'lang en_US']);
    assert.deepEqual(report(result), ['1 error unknown section "%bogus"']);
    assert.equal(result.kickstart.commands.length, 1);
  });

  it('stops skipping an unknown section at a known one', () => {
    const result = parse(['%bogus', '%post', 'x', '%end']);
    assert.deepEqual(report(result), ['1 error unknown section "%bogus"']);
    assert.equal(result.kickstart.scripts[0]!.body, 'x\n');
  });

  it('reports %end without an open section', () => {
    assert.deepEqual(report(parse(['lang en_US', '%end'])), ['2 error %end without an open section']);
  });
});

describe('mic options header', () => {
  it('is read from the first line only', () => {
    const { kickstart } = clean(['# -*-mic-options-*- fs --arch=armv7hl -*-mic-options-*-', 'lang en_US']);
    assert.deepEqual(kickstart.micOptions, {
      dialect: 'mic',
      imageType: 'fs',
      arch: 'armv7hl',
      args: ['fs', '--arch=armv7hl'],
    });
    assert.equal(
      clean(['lang en_US', '# -*-mic-options-*- fs -*-mic-options-*-']).kickstart.micOptions,
      null,
    );
  });

  it('warns when it is not closed', () => {
    const result = parse(['# -*-mic-options-*- fs --arch=x86_64', 'lang en_US']);
    assert.deepEqual(report(result), [
      '1 warning the mic options header is not closed by the same -*-mic-options-*- marker',
    ]);
    assert.equal(result.kickstart.micOptions, null);
  });
});

describe('tokens', () => {
  it('are substituted before parsing, unknown ones left alone', () => {
    const tokens = new Map([['RELEASE', '4.6.1']]);
    const { kickstart } = clean(
      [
        'repo --name=adaptation --baseurl=http://x/@RELEASE@/@ARCH@/',
        '%post',
        'echo @RELEASE@ user@host',
        '%end',
      ],
      { tokens },
    );
    assert.equal(kickstart.commands[0]!.options.baseurl, 'http://x/4.6.1/@ARCH@/');
    assert.equal(kickstart.scripts[0]!.body, 'echo 4.6.1 user@host\n');
  });

  it('may carry syntax, since the text is substituted before it is split', () => {
    const { kickstart } = clean(['lang @LANG@'], { tokens: new Map([['LANG', 'fi_FI # Finnish']]) });
    assert.deepEqual(kickstart.commands[0]!.args, ['fi_FI']);
  });
});

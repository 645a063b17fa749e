import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { formatKickstart } from '../../src/kickstart/format.ts';
import { kickstartMeaning } from '../../src/kickstart/meaning.ts';
import { emptyKickstart, type Kickstart } from '../../src/kickstart/model.ts';
import { parseKickstart } from '../../src/kickstart/parser.ts';

function parsed(text: string): Kickstart {
  const result = parseKickstart(text);
  assert.deepEqual(result.errors, []);
  return result.kickstart;
}

const at = { file: 'code', line: 1 };

const INPUT = `# -*-mic-options-*- loop --arch=armv7hl --pack-to="@NAME@ image.tar" -*-mic-options-*-
# A device image, written the way people write them.
%post --log /root/post.log
echo "first post"
%end
reboot
part   /home --size 1024 --ondrive=mmcblk0p --fstype="ext4"   # home
timezone --isUtc Europe/Helsinki
part / --size=3000 --label 'my root' --fsoptions="noatime,x#y"
lang en_US.UTF-8
%packages --excludedocs --instLangs=en
zsh
@Mer Core --nodefaults
-emacs
@^minimal
vim   # editor
-@dial-up
%end
%onerror
echo failed
%end
%pre --interpreter /usr/bin/python3
print('pre')
%end
rootpw --lock -- --not-an-option
keyboard us
%traceback
logger traceback
%end
%post --nochroot
	cp -a /etc "$INSTALL_ROOT"
%end
%anaconda
pwpolicy root --minlen=6
%end
%attachment
/boot/zImage
%end
%addon com_redhat_kdump --enable --reserve-mb='auto mode'
# verbatim
%end
%pack
sha256sum * > SUMS
%end
%prepackages
rpm
%end
`;

const CANONICAL = `# -*-mic-options-*- loop --arch=armv7hl '--pack-to=@NAME@ image.tar' -*-mic-options-*-
lang en_US.UTF-8
keyboard us
timezone Europe/Helsinki --utc
rootpw --lock -- --not-an-option
part /home --size=1024 --ondisk=mmcblk0p --fstype=ext4
part / --size=3000 --fsoptions='noatime,x#y' --label='my root'
reboot

%pre --interpreter=/usr/bin/python3
print('pre')
%end

%packages --excludedocs --inst-langs=en
@^minimal
@Mer Core --nodefaults
vim
zsh
-@dial-up
-emacs
%end

%prepackages
rpm
%end

%post --log=/root/post.log
echo "first post"
%end

%onerror
echo failed
%end

%traceback
logger traceback
%end

%post --nochroot
\tcp -a /etc "$INSTALL_ROOT"
%end

%attachment
/boot/zImage
%end

%pack
sha256sum * > SUMS
%end

%addon com_redhat_kdump --enable '--reserve-mb=auto mode'
# verbatim
%end

%anaconda
pwpolicy root --minlen=6
%end
`;

describe('formatKickstart', () => {
  it('writes the canonical text: header, commands in registry order, sections in a fixed order', () => {
    // Options come in the order the command's spec declares them.
    const formatted = formatKickstart(parsed(INPUT));
    assert.equal(formatted, CANONICAL);
    assert.equal(formatKickstart(parsed(formatted)), formatted);
    assert.deepEqual(kickstartMeaning(parsed(formatted)), kickstartMeaning(parsed(INPUT)));
  });

  it('writes nothing for an empty kickstart, and an empty %packages when one was given', () => {
    assert.equal(formatKickstart(parsed('# only a comment\n')), '');
    assert.equal(formatKickstart(parsed('%packages\n%end\n')), '%packages\n%end\n');
  });

  it('flattens includes and %ksappend like ksflatten', () => {
    const dir = mkdtempSync(join(tmpdir(), 'img-format-'));
    try {
      writeFileSync(join(dir, 'main.ks'), 'lang en_US\n%include disk.ks\n%ksappend post.ks\n');
      writeFileSync(join(dir, 'disk.ks'), 'part / --size=900\n%packages\nvim\n%end\n');
      writeFileSync(join(dir, 'post.ks'), '%post\necho appended\n%end\n');
      const file = join(dir, 'main.ks');
      const result = parseKickstart(readFileSync(file), { file });
      assert.deepEqual(result.diagnostics, []);
      assert.equal(
        formatKickstart(result.kickstart),
        'lang en_US\npart / --size=900\n\n%packages\nvim\n%end\n\n%post\necho appended\n%end\n',
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('keeps names that start like another kind of %packages line from being read as one', () => {
    const formatted = formatKickstart(parsed('%packages\n@ ^odd group\n- @odd\n-@^x\n%end\n'));
    assert.equal(formatted, '%packages\n@ ^odd group\n-@^x\n- @odd\n%end\n');
    const { groups, excludedGroups, excludedPackages, environment } = parsed(formatted).packages!;
    assert.deepEqual(
      { groups, excludedGroups, excludedPackages, environment },
      {
        groups: [{ name: '^odd group', include: 'default' }],
        excludedGroups: ['^x'],
        excludedPackages: ['@odd'],
        environment: null,
      },
    );
  });

  it('quotes arguments and values so that they read back the same', () => {
    const ks = emptyKickstart();
    ks.commands.push(
      { name: 'lang', args: ["it's # odd"], options: { addsupport: [] }, location: at },
      { name: 'rootpw', args: ['', '-x'], options: { iscrypted: true }, location: at },
      { name: 'timezone', args: ['-1'], options: {}, location: at },
    );
    const formatted = formatKickstart(ks);
    assert.equal(formatted, `lang "it's # odd" --addsupport=''\ntimezone -1\nrootpw --iscrypted -- '' -x\n`);
    const back = parseKickstart(formatted).kickstart.commands;
    assert.deepEqual(
      back.map((c) => [c.name, c.args, c.options]),
      [
        ['lang', ["it's # odd"], { addsupport: [] }],
        ['timezone', ['-1'], {}],
        ['rootpw', ['', '-x'], { iscrypted: true }],
      ],
    );
  });

  it('writes the arguments of a command that hands its line on as they came, without --', () => {
    assert.equal(
      formatKickstart(parsed('authselect select sssd  with-mkhomedir --force\n')),
      'authselect select sssd with-mkhomedir --force\n',
    );
  });

  it('ends a body built in code that lacks its last newline, so that %end stays on its own line', () => {
    const ks = emptyKickstart();
    const script = { interpreter: '/bin/sh', nochroot: false, erroronfail: false, log: null, location: at };
    ks.scripts.push({ ...script, kind: 'post', body: 'echo a\r\necho b' });
    ks.addons.push({ name: 'x', args: [], body: 'k = v', location: at });
    ks.anaconda = { body: 'pwpolicy root', location: at };
    const formatted = formatKickstart(ks);
    assert.equal(
      formatted,
      '%post\necho a\necho b\n%end\n\n%addon x\nk = v\n%end\n\n%anaconda\npwpolicy root\n%end\n',
    );
    assert.deepEqual(kickstartMeaning(parsed(formatted)), kickstartMeaning(ks));
  });

  it('refuses a command it has no spec for, which only code can build', () => {
    const ks = emptyKickstart();
    ks.commands.push({ name: 'frobnicate', args: [], options: {}, location: at });
    assert.throws(() => formatKickstart(ks), /no command spec for "frobnicate"/);
  });
});

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { formatKickstart } from '../../../src/kickstart/format.ts';
import { parseKickstart } from '../../../src/kickstart/parser.ts';
import { commandOf, commandsOf } from '../../../src/kickstart/query.ts';
import { cases, ks, parseClean } from './helpers.ts';

describe('rootpw', () => {
  test('an encrypted password, or a locked account', () => {
    const rootpw = commandOf(parseClean(ks("rootpw --iscrypted '$6$salt$hash'")), 'rootpw');
    assert.deepEqual(rootpw?.args, ['$6$salt$hash']);
    assert.deepEqual(rootpw?.options, { iscrypted: true });
    assert.deepEqual(commandOf(parseClean(ks('rootpw --lock --allow-ssh')), 'rootpw')?.options, {
      lock: true,
      'allow-ssh': true,
    });
  });
  test('--plaintext and --iscrypted: the last one wins, as in pykickstart', () => {
    const result = parseKickstart(ks('rootpw --plaintext --lock --iscrypted x'));
    assert.deepEqual(result.errors, []);
    assert.deepEqual(commandOf(result.kickstart, 'rootpw')?.options, { lock: true, iscrypted: true });
    assert.deepEqual(
      commandOf(parseKickstart(ks('rootpw --iscrypted --plaintext x')).kickstart, 'rootpw')?.options,
      { plaintext: true },
    );
  });
  cases([
    {
      name: 'needs a password',
      lines: ['lang C', 'rootpw'],
      errors: ['line 2: rootpw: expects a password (or --lock)'],
    },
    {
      name: 'encrypted then plain: plain',
      lines: ['lang C', 'rootpw --iscrypted --plaintext x'],
      warnings: ['line 2: rootpw: --plaintext overrides --iscrypted given before it'],
    },
    {
      name: 'only --allow-ssh is spelled so',
      lines: ['rootpw --lock --allow_ssh'],
      errors: ['line 1: rootpw: unknown option "--allow_ssh"'],
    },
    {
      name: 'one password',
      lines: ['rootpw a b'],
      errors: ['line 1: rootpw: too many arguments (the password): "a" "b"'],
    },
    {
      name: 'a flag takes no value',
      lines: ['rootpw --lock=yes'],
      errors: [
        'line 1: rootpw: --lock takes no value, got "yes"',
        'line 1: rootpw: expects a password (or --lock)',
      ],
    },
  ]);
});

describe('user', () => {
  test('every option', () => {
    const user = commandOf(
      parseClean(
        ks(
          'user --name=alice --gecos="Alice A." --groups=wheel,audio --homedir=/home/a --shell=/bin/zsh --uid=1001 --gid=1001 --iscrypted --password=$6$x',
        ),
      ),
      'user',
    );
    assert.deepEqual(user?.options, {
      name: 'alice',
      gecos: 'Alice A.',
      groups: ['wheel', 'audio'],
      homedir: '/home/a',
      shell: '/bin/zsh',
      uid: 1001,
      gid: 1001,
      iscrypted: true,
      password: '$6$x',
    });
  });
  test('several users are kept in order', () => {
    const users = commandsOf(parseClean(ks('user --name=a', 'user --name=b')), 'user');
    assert.deepEqual(
      users.map((u) => u.options.name),
      ['a', 'b'],
    );
  });
  cases([
    { name: 'needs --name', lines: ['user --groups=wheel'], errors: ['line 1: user: --name is required'] },
    {
      name: 'a uid is a number',
      lines: ['user --name=a --uid=one'],
      errors: ['line 1: user: --uid expects a number, got "one"'],
    },
    {
      name: 'the same user twice',
      lines: ['user --name=nemo', 'lang C', 'user --name=nemo --groups=audio'],
      warnings: ['line 3: user: a user named "nemo" was already declared at line 1; the last one wins'],
    },
    {
      name: 'takes no arguments',
      lines: ['user alice'],
      errors: ['line 1: user: --name is required', 'line 1: user: takes no arguments, got "alice"'],
    },
  ]);
});

describe('group', () => {
  test('a group with a gid', () => {
    assert.deepEqual(commandOf(parseClean(ks('group --name=builders --gid=2000')), 'group')?.options, {
      name: 'builders',
      gid: 2000,
    });
  });
  cases([
    { name: 'needs --name', lines: ['group --gid=5'], errors: ['line 1: group: --name is required'] },
    {
      name: 'the same group twice',
      lines: ['group --name=x', 'group --name=x'],
      warnings: ['line 2: group: a group named "x" was already declared at line 1; the last one wins'],
    },
    {
      name: 'a gid is not negative',
      lines: ['group --name=x --gid=-5'],
      errors: ['line 1: group: --gid expects a number of at least 0, got "-5"'],
    },
  ]);
});

describe('sshkey', () => {
  test('one quoted key, and several keys for one user', () => {
    const keys = commandsOf(
      parseClean(
        ks('sshkey --username=root "ssh-ed25519 AAAA root@a"', 'sshkey --username=root "ssh-rsa BBBB"'),
      ),
      'sshkey',
    );
    assert.deepEqual(
      keys.map((k) => [k.options.username, k.args[0]]),
      [
        ['root', 'ssh-ed25519 AAAA root@a'],
        ['root', 'ssh-rsa BBBB'],
      ],
    );
  });
  cases([
    {
      name: 'needs --username',
      lines: ['sshkey "ssh-ed25519 AAAA"'],
      errors: ['line 1: sshkey: --username is required'],
    },
    {
      name: 'an unquoted key is several arguments',
      lines: ['sshkey --username=root ssh-ed25519 AAAA'],
      errors: ['line 1: sshkey: too many arguments (the public key, quoted): "ssh-ed25519" "AAAA"'],
    },
    {
      name: 'needs the key',
      lines: ['sshkey --username=root'],
      errors: ['line 1: sshkey: expects 1 argument (the public key, quoted), got 0'],
    },
  ]);
});

describe('sshpw', () => {
  test('an installer login', () => {
    const sshpw = commandOf(parseClean(ks('sshpw --username=install --plaintext secret')), 'sshpw');
    assert.deepEqual(sshpw?.args, ['secret']);
    assert.deepEqual(sshpw?.options, { username: 'install', plaintext: true });
  });
  test('a password of several words is one password, as pykickstart joins them', () => {
    const parsed = parseClean(ks("sshpw --username=install a  password 'with spaces'"));
    assert.deepEqual(commandOf(parsed, 'sshpw')?.args, ['a password with spaces']);
    assert.equal(formatKickstart(parsed), "sshpw 'a password with spaces' --username=install\n");
  });
  cases([
    {
      name: 'the same login twice',
      lines: ['sshpw --username=a x', 'sshpw --username=a y'],
      warnings: [
        'line 2: sshpw: an installer login for "a" was already declared at line 1; the last one wins',
      ],
    },
    { name: 'needs --username', lines: ['sshpw x'], errors: ['line 1: sshpw: --username is required'] },
    {
      name: 'encrypted then plain: plain',
      lines: ['sshpw --username=a --iscrypted --plaintext x'],
      warnings: ['line 1: sshpw: --plaintext overrides --iscrypted given before it'],
    },
    {
      name: 'needs the password',
      lines: ['sshpw --username=a'],
      errors: ['line 1: sshpw: expects at least 1 argument (the password or key), got 0'],
    },
  ]);
});

describe('realm', () => {
  test('join a domain', () => {
    const realm = commandOf(
      parseClean(ks('realm join --one-time-password=s3cret --client-software=sssd example.com')),
      'realm',
    );
    // The line goes to realm(8) as written.
    assert.deepEqual(realm?.args, [
      'join',
      '--one-time-password=s3cret',
      '--client-software=sssd',
      'example.com',
    ]);
    assert.deepEqual(realm?.options, {});
    assert.deepEqual(
      commandOf(parseClean(ks('realm join --one-time-password s3cret --no example.com')), 'realm')?.args,
      ['join', '--one-time-password', 's3cret', '--no', 'example.com'],
    );
  });
  cases([
    {
      name: 'only join',
      lines: ['realm leave example.com'],
      errors: ['line 1: realm: only "realm join" is supported, got "leave"'],
    },
    {
      name: 'needs a domain',
      lines: ['realm join'],
      errors: ['line 1: realm: expects one domain after the options, got none'],
    },
    {
      name: 'needs join',
      lines: ['realm'],
      errors: ['line 1: realm: expects at least 1 argument (join, realmd options and a domain), got 0'],
    },
    {
      name: 'unknown realmd option',
      lines: ['realm join --user=admin example.com'],
      errors: ['line 1: realm: unknown option "--user"'],
    },
    {
      name: 'options come before the domain (getopt), so a later one is a second domain',
      lines: ['realm join example.com --no-password'],
      errors: ['line 1: realm: expects one domain after the options, got "example.com" "--no-password"'],
    },
    {
      name: 'a prefix that takes a value swallows the domain',
      lines: ['realm join --one-time example.com'],
      errors: ['line 1: realm: expects one domain after the options, got none'],
    },
    {
      name: 'a flag takes no value',
      lines: ['realm join --no-password=x example.com'],
      errors: ['line 1: realm: --no-password takes no value, got "x"'],
    },
    {
      name: 'pykickstart reads the realm line without comments: a comment is a second domain',
      lines: ['realm join example.com # our AD'],
      errors: ['line 1: realm: expects one domain after the options, got "example.com" "#" "our" "AD"'],
    },
    {
      name: 'joined once only',
      lines: ['realm join a.example', 'realm join b.example'],
      errors: ['line 2: realm: may be given only once; it was given at line 1'],
    },
  ]);
});

describe('authselect', () => {
  test('the whole line goes to authselect, its options included', () => {
    const authselect = commandOf(
      parseClean(ks('authselect select sssd with-mkhomedir --force')),
      'authselect',
    );
    assert.deepEqual(authselect?.args, ['select', 'sssd', 'with-mkhomedir', '--force']);
    assert.deepEqual(authselect?.options, {});
  });
  test('with no arguments, as pykickstart allows', () => {
    assert.deepEqual(commandOf(parseClean(ks('authselect')), 'authselect')?.args, []);
  });
});

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { commandOf, commandsOf } from '../../../src/kickstart/query.ts';
import { cases, ks, parseClean } from './helpers.ts';

describe('rootpw', () => {
  test('an encrypted password, or a locked account', () => {
    const rootpw = commandOf(parseClean(ks("rootpw --iscrypted '$6$salt$hash'")), 'rootpw');
    assert.deepEqual(rootpw?.args, ['$6$salt$hash']);
    assert.deepEqual(rootpw?.options, { iscrypted: true });
    assert.deepEqual(commandOf(parseClean(ks('rootpw --lock --allow-ssh')), 'rootpw')?.options, {
      lock: true,
      allow_ssh: true,
    });
  });
  cases([
    {
      name: 'needs a password',
      lines: ['lang C', 'rootpw'],
      errors: ['line 2: rootpw: expects a password (or --lock)'],
    },
    {
      name: 'encrypted or plain, not both',
      lines: ['rootpw --iscrypted --plaintext x'],
      errors: ['line 1: rootpw: --iscrypted and --plaintext cannot be used together'],
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
      name: 'encrypted or plain',
      lines: ['sshpw --username=a --iscrypted --plaintext x'],
      errors: ['line 1: sshpw: --iscrypted and --plaintext cannot be used together'],
    },
  ]);
});

describe('realm', () => {
  test('join a domain', () => {
    const realm = commandOf(
      parseClean(ks('realm join --one-time-password=s3cret --client-software=sssd example.com')),
      'realm',
    );
    assert.deepEqual(realm?.args, ['join', 'example.com']);
    assert.deepEqual(realm?.options, { 'one-time-password': 's3cret', 'client-software': 'sssd' });
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
      errors: ['line 1: realm: expects 2 arguments (join and a domain), got 1'],
    },
    {
      name: 'unknown realmd option',
      lines: ['realm join --user=admin example.com'],
      errors: ['line 1: realm: unknown option "--user"'],
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
  cases([
    {
      name: 'needs arguments',
      lines: ['authselect'],
      errors: ['line 1: authselect: expects at least 1 argument (authselect arguments), got 0'],
    },
  ]);
});

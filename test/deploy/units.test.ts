// The systemd units, sysusers and tmpfiles entries of deploy/, read by systemd's own tools: `systemd-analyze
// verify` (which exits 0 on an option it ignores, so any output at all fails), the exposure level `systemd-analyze
// security` gives, and the user and folders systemd-sysusers and systemd-tmpfiles make in a scratch root.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, type TestContext, test } from 'node:test';
import { promisify } from 'node:util';
import { tempDir } from '../service/helpers.ts';
import { checkout, deployFile, unitFiles, unitSetting } from './deploy-files.ts';

const run = promisify(execFile);

/** The units as installed, but with /opt/imger/ meaning this checkout, so that their programs exist. */
function installedUnits(t: TestContext, edit: (name: string, text: string) => string = (_, text) => text) {
  const dir = tempDir(t);
  for (const name of unitFiles) {
    const text = deployFile(`systemd/${name}`).replaceAll('/opt/imger/', `${checkout}/`);
    writeFileSync(join(dir, name), edit(name, text));
  }
  return dir;
}

/** What `systemd-analyze verify` says about these units (their instances for a template): empty when all is well. */
async function verify(dir: string, names: readonly string[]): Promise<string> {
  const paths = names.map((name) => join(dir, name));
  const { stdout, stderr } = await run('systemd-analyze', ['verify', '--man=no', ...paths]).catch(
    (error: { stdout: string; stderr: string; code: number }) => ({
      stdout: error.stdout,
      stderr: `${error.stderr}(exit ${error.code})`,
    }),
  );
  return `${stdout}${stderr}`;
}

const asVerified = [
  'imger-web.service',
  'imger-participant.service',
  'imger-worker@.service',
  'imger-worker@default.service',
];

describe('systemd-analyze verify', () => {
  test('every unit, and an instance of the worker template, verify without a word', async (t) => {
    assert.equal(await verify(installedUnits(t), asVerified), '');
  });

  const breakages = [
    {
      what: 'a misspelt option',
      from: 'ProtectHome=yes',
      to: 'ProtectHomes=yes',
      says: /Unknown key 'ProtectHomes'/,
    },
    {
      what: 'a value systemd cannot read',
      from: 'NoNewPrivileges=yes',
      to: 'NoNewPrivileges=perhaps',
      says: /Failed to parse/,
    },
    {
      what: 'a program that is not there',
      from: 'bin/imger.js',
      to: 'bin/imger-gone.js',
      says: /is not executable/,
    },
  ];
  for (const { what, from, to, says } of breakages) {
    test(`${what} in any unit fails the check`, async (t) => {
      for (const broken of unitFiles) {
        const dir = installedUnits(t, (name, text) => {
          if (name !== broken) return text;
          assert.ok(text.includes(from), `${name} has ${from}`);
          return text.replace(from, to);
        });
        assert.match(await verify(dir, asVerified), says, broken);
      }
    });
  }
});

describe('systemd-analyze security', () => {
  // Exposure ×10 as systemd-analyze rates it: the unprivileged units must stay "OK" (under 2.0); the worker keeps
  // what builds allow (6.6 when written).
  const ceilings = {
    'imger-web.service': 20,
    'imger-participant.service': 20,
    'imger-worker@default.service': 70,
  };
  const exposure = (dir: string, name: string, threshold: number) =>
    run('systemd-analyze', ['security', '--offline=true', `--threshold=${threshold}`, join(dir, name)]).then(
      () => 'within',
      (error: { stdout: string }) =>
        /Overall exposure level for \S+: (\S+)/.exec(error.stdout)?.[1] ?? 'unreadable',
    );

  test('the web node and the participant are rated OK, the worker no worse than when written', async (t) => {
    const dir = installedUnits(t);
    for (const [name, ceiling] of Object.entries(ceilings)) {
      assert.equal(await exposure(dir, name, ceiling), 'within', name);
    }
  });

  test('a web node that lost its sandboxing is rated above the ceiling', async (t) => {
    const dir = installedUnits(t, (name, text) =>
      name === 'imger-web.service'
        ? text.replace(
            /^(Protect|Private|Restrict|CapabilityBoundingSet|SystemCall|NoNewPrivileges)\S*=.*$/gm,
            '',
          )
        : text,
    );
    assert.notEqual(await exposure(dir, 'imger-web.service', ceilings['imger-web.service']), 'within');
  });
});

describe('sysusers and tmpfiles', () => {
  test('make the service user and every folder the units may write, with the modes the guide relies on', async (t) => {
    const root = tempDir(t);
    for (const kind of ['sysusers.d', 'tmpfiles.d']) {
      mkdirSync(join(root, 'etc', kind), { recursive: true });
      writeFileSync(join(root, 'etc', kind, 'imger.conf'), deployFile(`${kind}/imger.conf`));
    }
    // A config file an admin wrote world-readable: tmpfiles takes that away.
    mkdirSync(join(root, 'etc', 'imger'));
    writeFileSync(join(root, 'etc', 'imger', 'img.conf'), '[db]\nurl = postgres://imger:secret@db/imger\n');
    chmodSync(join(root, 'etc', 'imger', 'img.conf'), 0o644);
    await run('systemd-sysusers', [`--root=${root}`]);
    await run('systemd-tmpfiles', [`--root=${root}`, '--create']);

    const passwd = readFileSync(join(root, 'etc', 'passwd'), 'utf8');
    const [, uid, gid, home, shell] =
      /^imger:x:(\d+):(\d+):[^:]*:([^:]*):(.*)$/m.exec(passwd) ?? assert.fail(`no imger in ${passwd}`);
    assert.equal(home, '/var/lib/imger');
    assert.equal(shell, '/usr/sbin/nologin');
    const imger = { uid: Number(uid), gid: Number(gid) };
    const expected: Record<string, { mode: number; uid: number; gid: number }> = {
      '/etc/imger': { mode: 0o750, uid: 0, gid: imger.gid },
      '/etc/imger/img.conf': { mode: 0o640, uid: 0, gid: imger.gid },
      '/var/lib/imger': { mode: 0o750, ...imger },
      // setgid: what a root worker makes in a shared base_dir belongs to group imger.
      '/var/lib/imger/images': { mode: 0o2775, ...imger },
      '/var/cache/imger': { mode: 0o755, uid: 0, gid: 0 },
    };
    for (const [path, want] of Object.entries(expected)) {
      const stat = statSync(join(root, path));
      assert.deepEqual({ mode: stat.mode & 0o7777, uid: stat.uid, gid: stat.gid }, want, path);
    }

    for (const name of unitFiles) {
      const text = deployFile(`systemd/${name}`);
      for (const path of unitSetting(text, 'ReadWritePaths').flatMap((value) => value.split(/\s+/))) {
        assert.ok(statSync(join(root, path)).isDirectory(), `${name} writes ${path}, which tmpfiles makes`);
      }
      const user = unitSetting(text, 'User')[0] ?? 'root';
      assert.ok(user === 'root' || passwd.includes(`\n${user}:`) || passwd.startsWith(`${user}:`), name);
    }
  });
});

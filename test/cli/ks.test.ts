import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { type Refusal, type RefusalCode, refusals } from '../../src/builder/refusals.ts';

const imger = join(import.meta.dirname, '../../bin/imger.js');

function run(args: string[], input?: string) {
  const result = spawnSync(process.execPath, [imger, ...args], { encoding: 'utf8', input });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

const made: string[] = [];
after(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

function tempFolder(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}

function folderWith(files: Record<string, string>): string {
  const dir = tempFolder('imger-cli-');
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

const good = 'lang en_US.UTF-8\ntimezone --isUtc Europe/Helsinki\nrootpw secret\n%packages\nvim\n%end\n';
const bad = 'lang en_US.UTF-8\npart / --size big\nfrobnicate\n%packages\nvim\n';

describe('imger ks lint', () => {
  it('with --type, refuses each row of the builder table of refusals on its line, as a submit does', () => {
    // One run per type and arch, every row's example a file of it: the rows are the builder's own table.
    const rows = (Object.entries(refusals) as [RefusalCode, Refusal][]).filter(([, row]) => !row.field);
    const runs = new Map<string, [RefusalCode, Refusal][]>();
    for (const row of rows) {
      const key = `${row[1].example.type} ${row[1].example.arch}`;
      runs.set(key, [...(runs.get(key) ?? []), row]);
    }
    for (const [key, group] of runs) {
      const [type = '', arch = ''] = key.split(' ');
      const dir = folderWith(
        Object.fromEntries(group.map(([code, row]) => [`${code}.ks`, row.example.kickstart])),
      );
      const files = group.map(([code]) => join(dir, `${code}.ks`));
      const { code, stdout, stderr } = run(['ks', 'lint', '--json', '-t', type, '-a', arch, ...files]);
      assert.equal(code, 1, stderr);
      const answers = [JSON.parse(stdout)].flat() as { errors: { line: number; message: string }[] }[];
      for (const [index, [refusal, { example }]] of group.entries()) {
        assert.ok(
          answers[index]?.errors.some((e) => e.line === example.line && e.message.includes(example.says)),
          `${refusal}: ${JSON.stringify(answers[index])}`,
        );
      }
    }
    const dir = folderWith({ 'good.ks': good });
    assert.equal(run(['ks', 'lint', '-t', 'raw', join(dir, 'good.ks')]).code, 0, 'a buildable one passes');
    const unknown = run(['ks', 'lint', '-t', 'floppy', join(dir, 'good.ks')]);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /unknown image type floppy/);
  });

  it('exits 0 for a valid file and reports its warnings', () => {
    const dir = folderWith({ 'good.ks': good });
    const { code, stdout } = run(['ks', 'lint', join(dir, 'good.ks')]);
    assert.equal(code, 0);
    assert.match(stdout, /good\.ks: line 2: warning: timezone: --isUtc is deprecated/);
    assert.match(stdout, /good\.ks: ok \(1 warning\)/);
  });

  it('exits 1 and names every error with its line', () => {
    const dir = folderWith({ 'bad.ks': bad });
    const { code, stdout } = run(['ks', 'lint', join(dir, 'bad.ks')]);
    assert.equal(code, 1);
    assert.match(stdout, /bad\.ks: line 2: part: --size expects a number, got "big"/);
    assert.match(stdout, /bad\.ks: line 3: unknown command "frobnicate"/);
    assert.match(stdout, /bad\.ks: line 5: %packages is not closed by %end/);
  });

  it('prints one JSON object for one file', () => {
    const dir = folderWith({ 'bad.ks': bad });
    const { code, stdout } = run(['ks', 'lint', '--json', join(dir, 'bad.ks')]);
    assert.equal(code, 1);
    const report = JSON.parse(stdout);
    assert.equal(report.file, join(dir, 'bad.ks'));
    assert.equal(report.ok, false);
    assert.deepEqual(report.errors[0], { line: 2, message: 'part: --size expects a number, got "big"' });
    assert.deepEqual(report.warnings, []);
  });

  it('prints an array for several files and fails when any has an error', () => {
    const dir = folderWith({ 'good.ks': good, 'bad.ks': bad });
    const { code, stdout } = run(['ks', 'lint', '--json', join(dir, 'good.ks'), join(dir, 'bad.ks')]);
    assert.equal(code, 1);
    const reports = JSON.parse(stdout);
    assert.deepEqual(
      reports.map((r: { ok: boolean }) => r.ok),
      [true, false],
    );
  });

  it('names the included file in an error that comes from it', () => {
    const dir = folderWith({ 'main.ks': 'lang C\n%include part.ks\n', 'part.ks': '\npart / --fstype\n' });
    const { code, stdout } = run(['ks', 'lint', '--json', join(dir, 'main.ks')]);
    assert.equal(code, 1);
    const report = JSON.parse(stdout);
    assert.equal(report.errors[0].line, 2);
    assert.match(report.errors[0].file, /part\.ks$/);
  });

  it('reads standard input', () => {
    const { code, stdout } = run(['ks', 'lint', '-'], 'bogus\n');
    assert.equal(code, 1);
    assert.match(stdout, /<stdin>: line 1: unknown command "bogus"/);
  });

  it('says a missing file cannot be read, without a stack trace', () => {
    const { code, stdout, stderr } = run(['ks', 'lint', '/nonexistent/x.ks']);
    assert.equal(code, 1);
    assert.match(stdout, /x\.ks: cannot read the file: no such file/);
    assert.doesNotMatch(stdout + stderr, /at .*\.ts:\d+/);
  });

  it('applies a tokenmap before parsing', () => {
    const dir = folderWith({ 't.ks': 'lang @LANG@\n' });
    assert.equal(run(['ks', 'lint', join(dir, 't.ks')]).code, 0);
    const { stdout } = run(['ks', 'format', '--tokenmap', 'LANG:fi_FI.UTF-8', join(dir, 't.ks')]);
    assert.match(stdout, /^lang fi_FI\.UTF-8$/m);
  });

  it("--strict agrees with pykickstart DEVEL on what it accepts and refuses, naming each refusal's line", () => {
    const accepted = [
      'part / --size=8000 --fstype=xfs --mkfsoptions "-m bigtime=0,inobtcount=0"',
      'bootloader --append "-quiet x"',
      'rootpw --plaintext --iscrypted $6$x',
      'network --device=eth0 --activate --no-activate --vlanid=ID --ethtool "-K eth0 tso off"',
      'clearpart --linux --none --all',
      'sshpw --username=install a password with spaces',
      'authselect',
      'bootc --source-imgref=quay.io/centos-bootc/centos-bootc:stream9',
      'rdp',
      '%certificate --filename=ca.pem --type=anchor',
      '-----BEGIN CERTIFICATE-----',
      '%end',
      '%addon',
      '%end',
    ];
    const refused = [
      'autopart',
      'part / --size=1',
      'logvol /home --name=home --vgname=vg --size=2 --percent=30',
      'snapshot lv --name=s --when=post-install',
      'network --ipv4-dns-search=example.com',
      'iscsi --ipaddr=10.0.0.1 --port=x',
      'realm join a.example',
      'realm join b.example',
      'updates',
    ];
    const dir = folderWith({
      'accepted.ks': `${accepted.join('\n')}\n`,
      'refused.ks': `${refused.join('\n')}\n`,
    });
    const { code, stdout } = run([
      'ks',
      'lint',
      '--json',
      '--strict',
      join(dir, 'accepted.ks'),
      join(dir, 'refused.ks'),
    ]);
    assert.equal(code, 1);
    const [ok, bad] = JSON.parse(stdout);
    assert.deepEqual(ok.errors, []);
    assert.equal(ok.ok, true);
    const refusals = bad.errors.map((e: { line: number; message: string }) => `${e.line} ${e.message}`);
    assert.deepEqual(
      [...new Set(refusals.map((r: string) => r.split(':')[0]))],
      ['2 part', '3 logvol', '4 snapshot', '5 network', '6 iscsi', '8 realm', '9 updates'],
    );
    assert.ok(refusals.includes('2 part: cannot be used with autopart (line 1)'));
  });

  it('exits 2 on a wrong command line', () => {
    assert.equal(run(['ks', 'lint']).code, 2);
    assert.equal(run(['ks', 'lint', '--max-bytes', 'lots', 'x.ks']).code, 2);
    assert.equal(run(['ks', 'lint', '--tokenmap', 'novalue', 'x.ks']).code, 2);
  });
});

describe('imger ks format', () => {
  it('prints canonical text that lints clean', () => {
    const dir = folderWith({ 'good.ks': good });
    const { code, stdout } = run(['ks', 'format', join(dir, 'good.ks')]);
    assert.equal(code, 0);
    assert.match(stdout, /^timezone Europe\/Helsinki --utc$/m);
    const again = folderWith({ 'canonical.ks': stdout });
    assert.equal(run(['ks', 'lint', join(again, 'canonical.ks')]).code, 0);
  });

  it('refuses a kickstart with errors and prints nothing on stdout', () => {
    const dir = folderWith({ 'bad.ks': bad });
    const { code, stdout, stderr } = run(['ks', 'format', join(dir, 'bad.ks')]);
    assert.equal(code, 1);
    assert.equal(stdout, '');
    assert.match(stderr, /line 3: unknown command "frobnicate"/);
  });
});

describe('imger ks render', () => {
  const fixtures = join(import.meta.dirname, '../fixtures/kickstarter');

  it('writes the .ks files of the active images, which lint clean', () => {
    const out = tempFolder('imger-render-');
    const { code, stdout } = run([
      'ks',
      'render',
      join(fixtures, 'configurations.yaml'),
      '-r',
      join(fixtures, 'repos.yaml'),
      '-o',
      out,
    ]);
    assert.equal(code, 0);
    const written = stdout.split('\n').filter((l) => l.endsWith('.ks'));
    assert.ok(written.length > 0);
    assert.equal(run(['ks', 'lint', ...written]).code, 0);
  });

  it('fails with the file and key when the YAML is broken', () => {
    const dir = folderWith({ 'configurations.yaml': 'Configurations:\n  - Name: x\n   FileName: [\n' });
    const out = tempFolder('imger-render-');
    const { code, stderr } = run(['ks', 'render', join(dir, 'configurations.yaml'), '-o', out]);
    assert.equal(code, 1);
    assert.match(stderr, /configurations\.yaml:\d+/);
  });
});

describe('imger ks templates', () => {
  it('lists the shipped templates with their hints', () => {
    const { code, stdout } = run(['ks', 'templates', '--json']);
    assert.equal(code, 0);
    const { templates } = JSON.parse(stdout);
    const minimal = templates.find((t: { name: string }) => t.name === 'debian-minimal');
    assert.equal(minimal.suggestedImageType, 'raw');
    assert.equal(minimal.suggestedArchitecture, 'x86_64');
  });
});

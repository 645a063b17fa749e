import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BuildFailure } from '../../src/builder/failures.ts';
import { resolveKickstart } from '../../src/builder/from-kickstart.ts';
import { planBuild } from '../../src/builder/plan.ts';
import { type Refusal, type RefusalCode, refusals } from '../../src/builder/refusals.ts';

const rows = Object.entries(refusals) as [RefusalCode, Refusal][];

describe('the builder refuses each row of its table of refusals with the row example, naming its line', () => {
  for (const [code, { example }] of rows) {
    it(code, async () => {
      const overlay = { repos: example.extraRepos ?? [], packages: example.packages ?? [] };
      const result = planBuild({ ...example, overlay });
      assert.equal(result.ok, false);
      const found = result.ok ? undefined : result.errors.find((error) => error.code === code);
      assert.ok(found, `no ${code} among ${JSON.stringify(result)}`);
      assert.equal(found.line, example.line);
      assert.ok(found.message.includes(example.says), found.message);
      // The build's own resolve step makes the same judgement before any work.
      await assert.rejects(
        resolveKickstart(
          { ...example, overlay, name: 'img', outputDir: '/nonexistent' },
          AbortSignal.timeout(5000),
        ),
        (error: unknown) =>
          error instanceof BuildFailure &&
          error.kind === 'kickstart-error' &&
          error.step === 'resolve' &&
          (example.line === 0 || error.message.includes(`line ${example.line}`)),
      );
    });
  }
});

describe('planBuild', () => {
  it('refuses a mirror list or metalink that is not an http(s) URL: dnf on the host would read a host file and print its lines', () => {
    for (const option of ['mirrorlist', 'metalink']) {
      for (const url of ['file:///etc/shadow', 'file:/dev/zero', 'ftp://m.example/list']) {
        const result = planBuild({
          kickstart: `repo --name=f --${option}=${url}\n`,
          type: 'fs',
          arch: 'x86_64',
        });
        assert.equal(result.ok, false, `${option} ${url}`);
        if (!result.ok)
          assert.deepEqual(
            result.errors.map((e) => [e.code, e.line]),
            [['mirror-list-url', 1]],
          );
      }
      const fine = planBuild({
        kickstart: `repo --name=f --${option}=https://mirrors.example/list?repo=x\n`,
        type: 'fs',
        arch: 'x86_64',
      });
      assert.equal(fine.ok, true, JSON.stringify(fine));
    }
  });

  it('reports every refusal at once, not only the first', () => {
    const result = planBuild({
      kickstart: 'part / --fstype=ext9\npart /home\nvolgroup vg pv.1\n',
      type: 'raw',
      arch: 'x86_64',
    });
    assert.equal(result.ok, false);
    if (!result.ok) {
      assert.deepEqual(
        result.errors.map((e) => [e.code, e.line]),
        [
          ['unsupported-command', 3],
          ['part-fstype', 1],
          ['part-mountpoint', 2],
        ],
      );
    }
  });

  it('leaves out the checks that need a type when none is given (a lint as the user types)', () => {
    const result = planBuild({ kickstart: 'repo --name=r --baseurl=http://rpm.example/os --type=rpm\n' });
    assert.equal(result.ok, false, 'no type: no plan');
    if (!result.ok) assert.deepEqual(result.errors, []);
  });

  it('leaves a repository of unknown kind to the build, and judges it once told', () => {
    const kickstart = 'repo --name=r --baseurl=http://repo.example/os\n%packages\n@Core\n%end\n';
    const first = planBuild({ kickstart, type: 'raw', arch: 'x86_64' });
    assert.ok(first.ok);
    assert.deepEqual(
      first.plan.undetected.map((s) => s.line),
      [1],
    );
    const asRpm = planBuild({ kickstart, type: 'raw', arch: 'x86_64', repoKinds: new Map([[1, 'rpm']]) });
    // An rpm repository's groups are its comps groups, and it makes bootable disks.
    assert.ok(asRpm.ok);
    assert.deepEqual(asRpm.plan.recipe.packages, ['@Core']);
    const asApt = planBuild({ kickstart, type: 'fs', arch: 'x86_64', repoKinds: new Map([[1, 'apt']]) });
    assert.ok(!asApt.ok);
    assert.deepEqual(
      asApt.errors.map((e) => [e.code, e.line]),
      [
        ['apt-without-suite', 1],
        ['apt-group', 3],
      ],
    );
  });

  it('a hostile group name is a refusal on its line, not a pattern that breaks', () => {
    const result = planBuild({
      kickstart: 'lang C\n%packages\n@(a+)+$[\n%end\n',
      type: 'fs',
      arch: 'x86_64',
    });
    assert.ok(!result.ok);
    assert.ok(result.errors.some((e) => e.code === 'apt-group' || e.code === 'syntax'));
  });
});

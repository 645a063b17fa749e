import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyOverlay, commandsOf, keyDataUrl, parseKickstart } from '../../src/kickstart/index.ts';

const base = 'lang C\n%packages\nvim\nless\n%end\n';

function overlaid(text: string, overlay: Parameters<typeof applyOverlay>[1]) {
  const result = applyOverlay(text, overlay);
  assert.ok(result.ok, result.ok ? '' : result.error);
  return parseKickstart(result.text);
}

describe('applyOverlay', () => {
  it('leaves a kickstart without overlay as it is', () => {
    assert.deepEqual(applyOverlay(base, {}), { ok: true, text: base });
  });

  it('adds extra repositories as repo lines: a URL, or an apt URL with suite and components', () => {
    const parsed = overlaid('lang C', {
      repos: ['file:///srv/rpms', 'http://deb.example.org/debian bookworm main contrib'],
    });
    assert.ok(parsed.ok, JSON.stringify(parsed.errors));
    const repos = commandsOf(parsed.kickstart, 'repo');
    assert.deepEqual(
      repos.map((r) => [r.options.name, r.options.baseurl, r.options.suite, r.options.components]),
      [
        ['extra-1', 'file:///srv/rpms', undefined, undefined],
        ['extra-2', 'http://deb.example.org/debian', 'bookworm', ['main', 'contrib']],
      ],
    );
  });

  it('merges packages by the later-line-wins rule of %packages', () => {
    const parsed = overlaid(base, { packages: ['-vim', 'curl', '@ssh-server'] });
    assert.ok(parsed.ok);
    const packages = parsed.kickstart.packages!;
    assert.deepEqual(packages.packages, ['less', 'curl']);
    assert.deepEqual(packages.excludedPackages, ['vim']);
    assert.deepEqual(packages.groups, [{ name: 'ssh-server', include: 'default' }]);
  });

  it('refuses entries that would smuggle kickstart syntax in', () => {
    assert.equal(applyOverlay(base, { packages: ['vim\n%post\nrm -rf /\n%end'] }).ok, false);
    assert.equal(applyOverlay(base, { packages: ['%post'] }).ok, false);
    assert.equal(applyOverlay(base, { repos: ['http://x/\nrootpw y'] }).ok, false);
    assert.equal(applyOverlay(base, { repos: ['  '] }).ok, false);
  });

  it('carries an armored key after an extra repository on its repo line, as a data: URL', () => {
    const key = '-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nmDMEZabc\n=abcd\n-----END PGP PUBLIC KEY BLOCK-----';
    const parsed = overlaid('lang C', { repos: [`http://deb.example.org/debian bookworm main\n${key}\n`] });
    assert.ok(parsed.ok, JSON.stringify(parsed.errors));
    const gpgkey = commandsOf(parsed.kickstart, 'repo')[0]!.options.gpgkey!;
    assert.equal(gpgkey, keyDataUrl(key));
    assert.equal(Buffer.from(gpgkey.split(',')[1]!, 'base64').toString(), key);
  });

  it('refuses lines after an extra repository that are not one armored public key', () => {
    const refused = applyOverlay(base, { repos: ['http://x/ bookworm main\nrootpw y'] });
    assert.equal(refused.ok, false);
    assert.match(refused.ok ? '' : refused.error, /extra repo 1: the lines after the repository are not one/);
    const privateKey = '-----BEGIN PGP PRIVATE KEY BLOCK-----\nxx\n-----END PGP PRIVATE KEY BLOCK-----';
    assert.equal(applyOverlay(base, { repos: [`http://x/\n${privateKey}`] }).ok, false);
  });

  it('quotes a repository URL holding # so that it is not cut as a comment', () => {
    const parsed = overlaid('lang C', { repos: ['http://r.example.org/a#b'] });
    assert.equal(commandsOf(parsed.kickstart, 'repo')[0]!.options.baseurl, 'http://r.example.org/a#b');
  });
});

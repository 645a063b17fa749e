// Where a repository's signing key may come from: the request's text, an http(s) URL, or the admin's key
// folder; never another path of the server (another job's output folder, /etc).
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { BuildFailure } from '../../src/builder/failures.ts';
import { resolveKickstart } from '../../src/builder/from-kickstart.ts';
import { gpgKeyProblem, materializeKey } from '../../src/builder/signing-keys.ts';
import { keyDataUrl } from '../../src/kickstart/index.ts';
import { endlessServer } from '../kickstart/endless-server.ts';

const armored =
  '-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nmDMEZxxxxx\n=abcd\n-----END PGP PUBLIC KEY BLOCK-----\n';
const dir = await mkdtemp(join(tmpdir(), 'imger-keys-'));
after(() => rm(dir, { recursive: true, force: true }));
const keyDir = join(dir, 'keys');
await mkdir(keyDir);
await writeFile(join(keyDir, 'vendor.asc'), armored);
await writeFile(join(dir, 'elsewhere.asc'), armored);
await symlink(join(dir, 'elsewhere.asc'), join(keyDir, 'link.asc'));

describe('gpgKeyProblem', () => {
  test('accepts URLs, keys in the request, and files in the key folder', () => {
    assert.equal(gpgKeyProblem('https://repo.example.org/key.asc', ''), undefined);
    assert.equal(gpgKeyProblem('http://127.0.0.1:8080/key.asc', ''), undefined);
    assert.equal(gpgKeyProblem(keyDataUrl(armored), ''), undefined);
    assert.equal(gpgKeyProblem(`file://${keyDir}/vendor.asc`, keyDir), undefined);
  });

  test('refuses every other path of the server, and what is not a key', () => {
    assert.match(
      gpgKeyProblem('file:///srv/images/api/bob/1/keyring.gpg', '')!,
      /not read from the server's files/,
    );
    assert.match(gpgKeyProblem('file:///etc/shadow', keyDir)!, /only keys in the server's key folder/);
    assert.match(
      gpgKeyProblem(`file://${keyDir}/../elsewhere.asc`, keyDir)!,
      /only keys in the server's key folder/,
    );
    assert.match(gpgKeyProblem(`file://${keyDir}`, keyDir)!, /only keys in the server's key folder/);
    assert.match(gpgKeyProblem('/etc/apt/trusted.gpg', keyDir)!, /expects an http\(s\) URL/);
    assert.match(gpgKeyProblem('ftp://example.org/key', keyDir)!, /expects an http\(s\) URL/);
    assert.match(gpgKeyProblem('data:,not%20a%20key', '')!, /holds no OpenPGP public key/);
    assert.match(gpgKeyProblem(keyDataUrl(`${armored}${'A'.repeat(70_000)}`), '')!, /holds no OpenPGP/);
  });
});

describe('materializeKey', () => {
  test('writes a key from the request as NAME.asc, a binary one as NAME.gpg', async () => {
    const out = await mkdtemp(join(dir, 'out-'));
    const asc = await materializeKey(keyDataUrl(armored), '', out, 'repo-1', AbortSignal.timeout(5000));
    assert.equal(asc, join(out, 'repo-1.asc'));
    assert.equal(await readFile(asc, 'utf8'), armored.trim());
    const binary = `data:;base64,${Buffer.from([0x99, 0x01, 0x0d, 0x04]).toString('base64')}`;
    assert.equal(
      await materializeKey(binary, '', out, 'repo-2', AbortSignal.timeout(5000)),
      join(out, 'repo-2.gpg'),
    );
  });

  test('reads the key folder, but not through a link that leads out of it', async () => {
    const out = await mkdtemp(join(dir, 'out-'));
    const key = await materializeKey(
      `file://${keyDir}/vendor.asc`,
      keyDir,
      out,
      'v',
      AbortSignal.timeout(5000),
    );
    assert.equal(await readFile(key, 'utf8'), armored);
    await assert.rejects(
      materializeKey(`file://${keyDir}/link.asc`, keyDir, out, 'l', AbortSignal.timeout(5000)),
      /leads out of/,
    );
  });
});

test('a kickstart naming a key by a server path is refused, naming its line', async () => {
  const kickstart = [
    'lang C',
    'repo --name=mine --baseurl=http://deb.example.org/debian --suite=bookworm --gpgkey=file:///var/lib/imger/images/api/bob/7/keyring.gpg',
  ].join('\n');
  const error = await resolveKickstart(
    { kickstart, type: 'fs', arch: 'x86_64', name: 'img', outputDir: dir, gpgKeyDir: keyDir },
    AbortSignal.timeout(10_000),
  ).catch((e) => e);
  assert.ok(error instanceof BuildFailure);
  assert.equal(error.kind, 'kickstart-error');
  assert.match(
    error.message,
    /^line 2: repo mine: --gpgkey=file:\/\/\/var\/lib\/imger\/images\/api\/bob\/7\/keyring\.gpg: only keys in the server's key folder/,
  );
});

test('a key URL that streams without end is cut off at the size of a key, not read into memory', async () => {
  const server = await endlessServer({ 'content-type': 'application/pgp-keys' }, 0x99);
  await assert.rejects(
    materializeKey(`${server.url}/key.gpg`, '', dir, 'endless', new AbortController().signal),
    /larger than/,
  );
  assert.ok(server.sent() < 32 * 2 ** 20, `the builder read ${server.sent()} bytes of a key`);
});

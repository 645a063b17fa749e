import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { passwordSetting, sourceDateEpoch } from '../../src/builder/reproducible.ts';
import { usedInodes } from '../../src/builder/reproducible-tree.ts';

const seed = '01'.repeat(32);

describe('reproducible builds', () => {
  test('SOURCE_DATE_EPOCH is the newest plausible Date of the Release files', () => {
    const now = Date.UTC(2026, 11, 3);
    const release = (date: string) => `-----BEGIN PGP SIGNED MESSAGE-----\nOrigin: Debian\nDate: ${date}\n`;
    assert.equal(
      sourceDateEpoch(
        [release('Sat, 29 Nov 2025 09:51:16 UTC'), release('Mon, 01 Dec 2025 00:00:00 UTC')],
        now,
      ),
      Date.UTC(2025, 11, 1) / 1000,
    );
    // A hostile or broken mirror: no date, garbage, the far future, the epoch itself.
    assert.equal(
      sourceDateEpoch(
        ['Origin: x\n', release('tomorrow; rm -rf /'), release('Fri, 01 Jan 2100 00:00:00 UTC')],
        now,
      ),
      undefined,
    );
    assert.equal(sourceDateEpoch([release('Thu, 01 Jan 1970 00:00:00 UTC')], now), undefined);
  });

  test('password salts differ per user and per seed, and are valid yescrypt settings', () => {
    const root = passwordSetting(seed, 'root');
    assert.match(root, /^\$y\$j9T\$[./0-9A-Za-z]{20}$/);
    assert.equal(passwordSetting(seed, 'root'), root);
    assert.notEqual(passwordSetting(seed, 'demo'), root);
    assert.notEqual(passwordSetting('02'.repeat(32), 'root'), root);
  });

  test('the inodes in use are the complement of dumpe2fs free ranges', () => {
    const dump = `Inode count:              20\nGroup 0:\n  Free inodes: 5-8, 10\nGroup 1:\n  Free inodes: 12-20\n`;
    assert.deepEqual(usedInodes(dump), [1, 2, 3, 4, 9, 11]);
    assert.throws(() => usedInodes('nothing'), /no inode count/);
  });
});

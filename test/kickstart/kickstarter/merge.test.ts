import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mergeSettings } from '../../../src/kickstart/kickstarter/merge.ts';

describe('mergeSettings', () => {
  it('lets later blocks override single values and flags', () => {
    assert.deepEqual(
      mergeSettings([
        { Language: 'en_US.UTF-8', Kernel: 'kernel', SaveRepos: true },
        { Kernel: 'kernel-netbook' },
        { Language: 'de_DE.UTF-8', SaveRepos: false },
      ]),
      { Language: 'de_DE.UTF-8', Kernel: 'kernel-netbook', SaveRepos: false },
    );
  });

  it('concatenates the list keys in block order and keeps the first of each repeat', () => {
    const merged = mergeSettings([
      { Repos: ['main'], Groups: ['Core'], PostScripts: ['rpm'] },
      { Repos: ['tools', 'main'], Groups: ['Core', 'X'], NoChrootScripts: ['buildname'] },
      { Repos: ['extra', 'tools'], RemovePackages: ['a', 'a'], ExtraPackages: ['vim', '-foo'] },
    ]);
    assert.deepEqual(merged, {
      Repos: ['main', 'tools', 'extra'],
      Groups: ['Core', 'X'],
      PostScripts: ['rpm'],
      NoChrootScripts: ['buildname'],
      RemovePackages: ['a'],
      ExtraPackages: ['vim', '-foo'],
    });
  });

  it('replaces PrePackages like a single value: it is not one of the merged lists', () => {
    assert.deepEqual(mergeSettings([{ PrePackages: ['rpm'] }, { PrePackages: ['setup'] }]), {
      PrePackages: ['setup'],
    });
  });
});

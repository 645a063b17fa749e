import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { kickstartMeaning } from '../../src/kickstart/meaning.ts';
import { parseKickstart } from '../../src/kickstart/parser.ts';

function meaningOf(text: string, file = 'a.ks'): string {
  const result = parseKickstart(text, { file });
  assert.deepEqual(result.errors, []);
  return JSON.stringify(kickstartMeaning(result.kickstart));
}

describe('kickstartMeaning', () => {
  it('ignores where things were written and how they were spelled', () => {
    const a = meaningOf(
      [
        'lang en_US',
        'part / --size=900 --fstype=ext4',
        'part swap --size=100',
        '%packages',
        'vim',
        '@core',
        '%end',
        '%post',
        'echo hi',
        '%end',
        '%pre',
        '%end',
      ].join('\n'),
    );
    const b = meaningOf(
      [
        '# comment',
        '%pre',
        '%end',
        'partition / --fstype ext4 --size "900"',
        "part 'swap' --size=100",
        '%packages',
        '@core   # base',
        '%end',
        '%post',
        'echo hi',
        '%end',
        'lang  en_US',
        '%packages',
        'vim',
        '%end',
      ].join('\r\n'),
      'b.ks',
    );
    assert.equal(a, b);
  });

  it('keeps what changes the build: the order of partitions, names, bodies, options', () => {
    const base = meaningOf('part / --size=900\npart /home --size=100\n%post\necho hi\n%end\n');
    for (const other of [
      'part /home --size=100\npart / --size=900\n%post\necho hi\n%end\n',
      'part / --size=900\npart /home --size=101\n%post\necho hi\n%end\n',
      'part / --size=900\npart /home --size=100\n%post\necho hi \n%end\n',
      'part / --size=900\npart /home --size=100\n%post --erroronfail\necho hi\n%end\n',
      'part / --size=900\npart /home --size=100\n%pre\necho hi\n%end\n',
    ]) {
      assert.notEqual(meaningOf(other), base, other);
    }
  });

  it('holds no locations', () => {
    const text =
      '# -*-mic-options-*- fs -*-mic-options-*-\nlang en\n%packages\n%end\n%post\n%end\n%addon a\n%end\n';
    assert.doesNotMatch(meaningOf(text), /"(location|line|file)"/);
  });
});

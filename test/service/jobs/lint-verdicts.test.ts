// Submit and lint remember the verdicts of recent kickstarts (validate.ts): a verdict must never be handed to an
// input that differs in anything that decides it, whichever of the two was judged first.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ServiceError } from '../../../src/service/errors.ts';
import { type KickstartLintInput, lintKickstart } from '../../../src/service/jobs/index.ts';

/** What a lint said, comparable: its error lines and messages, or the bad request it threw. */
function verdict(input: KickstartLintInput): string {
  try {
    const { errors } = lintKickstart(input);
    return errors.length === 0 ? 'ok' : errors.map((error) => `${error.line}: ${error.message}`).join('\n');
  } catch (error) {
    if (!(error instanceof ServiceError)) throw error;
    return `${error.code}: ${error.message}`;
  }
}

const fs = { type: 'fs', arch: 'x86_64' };
const debian = 'repo --name=deb --baseurl=http://deb.example/debian --suite=bookworm';
/** Pairs alike but for one input; the first is accepted, the second refused. */
const pairs: [string, KickstartLintInput, KickstartLintInput][] = [
  ['kickstart', { kickstart: 'lang C\n', ...fs }, { kickstart: 'lang C\npart / --size=big\n', ...fs }],
  [
    'type',
    { kickstart: 'lang C\n', type: 'fs', arch: 'aarch64' },
    { kickstart: 'lang C\n', type: 'raw', arch: 'aarch64' },
  ],
  [
    'arch',
    { kickstart: 'lang C\n', type: 'raw', arch: 'x86_64' },
    { kickstart: 'lang C\n', type: 'raw', arch: 'aarch64' },
  ],
  [
    'tokenmap',
    { kickstart: 'lang C\npart / --size=@SIZE@\n', ...fs, tokenmap: 'SIZE:1000' },
    { kickstart: 'lang C\npart / --size=@SIZE@\n', ...fs, tokenmap: 'SIZE:big' },
  ],
  [
    'extra repositories',
    { kickstart: 'lang C\n', ...fs, extraRepos: [] },
    {
      kickstart: 'lang C\n',
      ...fs,
      extraRepos: ['repo --name=* --baseurl=http://rpm.example/os --type=rpm'],
    },
  ],
  [
    'packages',
    { kickstart: `${debian}\n`, ...fs, packages: ['bash'] },
    { kickstart: `${debian}\n`, ...fs, packages: ['?true'] },
  ],
  [
    'key folder',
    { kickstart: `${debian} --gpgkey=file:/srv/keys/deb.asc\n`, ...fs, gpgKeyDir: '/srv/keys' },
    { kickstart: `${debian} --gpgkey=file:/srv/keys/deb.asc\n`, ...fs, gpgKeyDir: '/srv/other' },
  ],
  [
    'builder',
    { kickstart: 'lang C\nvolgroup vg00 pv.01\n', ...fs, builder: 'mic' },
    { kickstart: 'lang C\nvolgroup vg00 pv.01\n', ...fs, builder: 'native' },
  ],
];

for (const [differing, accepted, refused] of pairs) {
  test(`a remembered verdict is not given to a kickstart whose ${differing} differs`, () => {
    for (const order of [
      [accepted, refused],
      [refused, accepted],
    ]) {
      for (const input of [...order, ...order]) {
        const expected = input === accepted ? 'ok' : 'refused';
        const said = verdict(input);
        assert.equal(said === 'ok' ? 'ok' : 'refused', expected, `${differing}: ${said}`);
      }
    }
  });
}

test('a remembered verdict cannot be changed by whoever received it', () => {
  const input = { kickstart: 'lang C\npart / --size=big\n', ...fs };
  const first = lintKickstart(input);
  assert.throws(() => (first.errors as unknown as unknown[]).push({ line: 1, message: 'planted' }));
  assert.throws(() => {
    (first.errors[0] as { message: string }).message = 'planted';
  });
  assert.deepEqual(lintKickstart(input), first);
  assert.ok(!JSON.stringify(lintKickstart(input)).includes('planted'));
});

import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, it } from 'node:test';
import { formatDiagnostic, parseKickstart } from '../../src/kickstart/index.ts';
import { bundledTemplatesDir, listTemplates, readTemplateHints } from '../../src/kickstart/templates.ts';

const fixtures = new URL('../fixtures/templates/', import.meta.url).pathname;

describe('readTemplateHints', () => {
  it('reads the hints of the header, trimming values and splitting features', () => {
    assert.deepEqual(
      readTemplateHints(
        '# -*-mic-options-*- loop -*-mic-options-*-\n# DisplayName:  Device \n\n# SuggestedArchitecture: armv7hl\n# SuggestedFeatures: a, b\nlang C\n',
      ),
      {
        displayName: 'Device',
        suggestedArchitecture: 'armv7hl',
        suggestedFeatures: ['a', 'b'],
        description: '',
      },
    );
  });

  it('keeps the header prose as the description, mic options left out, paragraphs split by a bare #', () => {
    const hints = readTemplateHints(
      [
        '# -*-mic-options-*- loop -*-mic-options-*-',
        '# DisplayName: Device',
        '#',
        '# A handset image',
        '#   built with mic.',
        '#',
        '#',
        '## Log in as nemo.',
        'lang C',
        '# Not the header any more.',
      ].join('\n'),
    );
    assert.equal(hints.description, 'A handset image built with mic.\n\nLog in as nemo.');
  });

  it('has no hints for a file without a header', () => {
    assert.deepEqual(readTemplateHints('lang C\n# DisplayName: late\n'), {
      suggestedFeatures: [],
      description: '',
    });
  });
});

describe('listTemplates', () => {
  it('lists *.ks files only, sorted by display name, named after the file', async () => {
    assert.deepEqual(await listTemplates(fixtures), {
      templates: [
        {
          name: 'zeta',
          displayName: 'Alpha first by display name',
          suggestedImageType: 'fs',
          suggestedFeatures: ['one', 'two'],
          description: '',
          tokens: [],
          path: `${fixtures}zeta.ks`,
        },
        {
          name: 'plain',
          displayName: 'plain',
          suggestedFeatures: [],
          description: '',
          tokens: [],
          path: `${fixtures}plain.ks`,
        },
      ],
      errors: [],
    });
  });

  it('reports a folder that cannot be listed', async () => {
    const missing = `${fixtures}missing`;
    assert.deepEqual(await listTemplates(missing), {
      templates: [],
      errors: [{ path: missing, message: 'cannot list templates: does not exist' }],
    });
    assert.deepEqual(
      (await listTemplates(`${fixtures}plain.ks`)).errors[0]?.message,
      'cannot list templates: is not a folder',
    );
  });
});

describe('the bundled templates', async () => {
  const { templates, errors } = await listTemplates(bundledTemplatesDir);
  const text = (name: string) => readFile(`${bundledTemplatesDir}/${name}.ks`, 'utf8');

  it('are all listed with their hints', () => {
    assert.deepEqual(errors, []);
    assert.deepEqual(
      templates.map((template) => [
        template.name,
        template.suggestedImageType,
        template.suggestedArchitecture,
      ]),
      [
        ['debian-live', 'livecd', 'x86_64'],
        ['debian-minimal', 'raw', 'x86_64'],
        ['debian-server', 'raw', 'x86_64'],
        ['mer-device', 'loop', 'armv7hl'],
      ],
    );
    for (const template of templates) assert.notEqual(template.displayName, template.name);
    // The submit page's help shows it: each bundled template says what it builds.
    for (const template of templates) assert.match(template.description, /\w{3,}/, template.name);
  });

  it('list their @TOKEN@s in order of first use', () => {
    const device = templates.find((template) => template.name === 'mer-device');
    assert.deepEqual(device?.tokens, ['NAME', 'RELEASE', 'ARCH']);
  });

  it('parse without a diagnostic: Debian ones as plain pykickstart, the device one with mic extensions', async () => {
    for (const template of templates) {
      const extensions = template.name === 'mer-device';
      const parsed = parseKickstart(await text(template.name), { file: template.path, extensions });
      assert.deepEqual(parsed.diagnostics.map(formatDiagnostic), [], template.name);
    }
  });

  it('leave package sources to the build host for Debian: no repo or url line', async () => {
    for (const name of ['debian-minimal', 'debian-live', 'debian-server']) {
      assert.doesNotMatch(await text(name), /^\s*(repo|url)\b/m, name);
    }
  });

  it('mark a minimal image and boot it on the serial console', async () => {
    const minimal = await text('debian-minimal');
    assert.match(minimal, /^bootloader .*--append="console=ttyS0,115200"/m);
    assert.match(minimal, /^%post\n[\s\S]*\/etc\/img-release[\s\S]*^%end$/m);
    assert.doesNotMatch(minimal, /openssh-server/);
  });

  it('give the server ssh and a sudo user', async () => {
    const server = await text('debian-server');
    assert.match(server, /^services --enabled=ssh$/m);
    assert.match(server, /^user --name=admin --groups=sudo /m);
    assert.match(server, /^# sshkey --username=admin /m);
    assert.match(server, /^network --bootproto=dhcp .*--hostname=/m);
  });

  it('open the mic device template with its options header', async () => {
    const device = await text('mer-device');
    assert.match(device, /^# -\*-mic-options-\*- loop .* -\*-mic-options-\*-\n/);
    for (const section of [
      '%packages',
      '%prepackages',
      '%attachment',
      '%post',
      '%post --nochroot',
      '%pack',
    ]) {
      assert.match(device, new RegExp(`^${section}( |$)`, 'm'), section);
    }
    assert.doesNotMatch(device, /https?:\/\/(?!repo\.example\.org)/);
  });
});

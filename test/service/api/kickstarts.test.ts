import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { MAX_KICKSTARTER_TAR_BYTES } from '../../../src/service/api/kickstarter-tar.ts';
import { MAX_KICKSTART_BYTES } from '../../../src/service/api/submission.ts';
import { databaseKinds } from '../helpers.ts';
import { validKickstart } from '../jobs/fixtures.ts';
import { harness } from './harness.ts';
import { tarOf } from './tar-of.ts';

const configurations = [
  'Default:',
  '  Language: en_US.UTF-8',
  '  Repos: [main]',
  'Configurations:',
  '  - Name: Small',
  '    FileName: small',
  '  - Name: Old',
  '    FileName: old',
  '    Active: false',
].join('\n');
const repos = 'Repositories:\n  - Name: main\n    Url: http://repo.example.org/main/\n';

for (const kind of databaseKinds) {
  describe(`kickstart and template API on ${kind}`, () => {
    test('a repository key named by a server path is refused by lint and by submit (400), naming its line', async (t) => {
      const { app, as } = await harness(t, kind);
      const kickstart = `${validKickstart}repo --name=r --baseurl=http://deb.example.org/debian --suite=bookworm --gpgkey=file:///etc/shadow\n`;
      const line = kickstart.split('\n').length - 1;
      const lint = await app.inject({
        method: 'POST',
        url: '/api/v1/kickstarts/lint',
        headers: as.alice,
        payload: { kickstart },
      });
      assert.deepEqual(
        lint.json().errors.map((e: { line: number }) => e.line),
        [line],
      );
      const submitted = await app.inject({
        method: 'POST',
        url: '/api/v1/jobs',
        headers: as.alice,
        payload: { kickstart, type: 'fs', arch: 'x86_64' },
      });
      assert.equal(submitted.statusCode, 400);
      const [error] = submitted.json().details.errors;
      assert.equal(error.line, line);
      assert.match(
        error.message,
        /repo r: --gpgkey=file:\/\/\/etc\/shadow: keys are not read from the server's files/,
      );
    });

    test('lint answers the errors a submit would be refused for, with warnings, and needs a login', async (t) => {
      const { app, as, jobs } = await harness(t, kind);
      const lint = (payload: object, headers: Record<string, string> = as.alice) =>
        app.inject({ method: 'POST', url: '/api/v1/kickstarts/lint', headers, payload });

      assert.equal((await lint({ kickstart: validKickstart }, {})).statusCode, 401);
      assert.deepEqual((await lint({ kickstart: validKickstart })).json(), {
        ok: true,
        errors: [],
        warnings: [],
      });

      const bad = await lint({
        kickstart: 'lang C\nlang en_US.UTF-8\npart / --size big\n%include /etc/passwd\n',
      });
      assert.equal(bad.statusCode, 200);
      const body = bad.json();
      assert.equal(body.ok, false);
      assert.deepEqual(
        body.errors.map((error: { line: number }) => error.line),
        [3, 4],
      );
      assert.match(body.errors[1].message, /not allowed in a submitted kickstart/);
      assert.deepEqual(body.warnings, [{ line: 2, message: 'lang: given again; this one replaces line 1' }]);

      const submitted = await app.inject({
        method: 'POST',
        url: '/api/v1/jobs',
        headers: as.alice,
        payload: { kickstart: 'lang C\nlang en_US.UTF-8\npart / --size big\n', type: 'fs', arch: 'x86_64' },
      });
      assert.deepEqual(submitted.json().details.errors, [body.errors[0]], 'the same check as POST /jobs');

      const tokens = await lint({
        kickstart: `${validKickstart}repo --name=r --baseurl=http://example.org/@FLAVOUR@/@ARCH@/\n`,
        arch: 'aarch64',
        tokenmap: 'FLAVOUR:devel',
      });
      assert.equal(tokens.json().ok, true);
      const overlay = await lint({ kickstart: validKickstart, packages: ['%post'] });
      assert.equal(overlay.statusCode, 400, 'a bad overlay is a bad request, as for a job');
      assert.equal((await lint({ kickstart: validKickstart, arch: 'sparc' })).statusCode, 400);
      assert.equal((await lint({ kickstart: validKickstart, tokenmap: 'nope' })).statusCode, 400);

      const tooLarge = await lint({ kickstart: `# ${'x'.repeat(MAX_KICKSTART_BYTES)}\n` });
      assert.equal(tooLarge.json().ok, false);
      assert.match(tooLarge.json().errors[0].message, /larger than|too large|bytes/i);
      const huge = await lint({ kickstart: 'x'.repeat(2 * MAX_KICKSTART_BYTES) });
      assert.equal(huge.statusCode, 413);
      assert.deepEqual((await jobs.list({}, { limit: 10 })).jobs, [], 'lint queues nothing');
    });

    test('templates list their tokens but ARCH, and one template gives its text', async (t) => {
      const { app, as } = await harness(t, kind);
      const templates = (await app.inject({ url: '/api/v1/templates', headers: as.alice })).json();
      const device = templates.find((template: { name: string }) => template.name === 'mer-device');
      assert.deepEqual(device.tokens, ['NAME', 'RELEASE']);
      const one = await app.inject({ url: '/api/v1/templates/mer-device', headers: as.alice });
      assert.equal(one.statusCode, 200);
      const { text, ...fields } = one.json();
      assert.deepEqual(fields, device);
      assert.match(text, /^repo --name=mer-core .*@RELEASE@/m);
      const missing = await app.inject({ url: '/api/v1/templates/nope', headers: as.alice });
      assert.equal(missing.statusCode, 404);
      assert.equal(missing.json().error, 'not-found');
      assert.equal((await app.inject({ url: '/api/v1/templates/mer-device' })).statusCode, 401);
    });

    test('render turns kickstarter YAML into kickstarts, refusing what needs the server disk', async (t) => {
      const { app, as } = await harness(t, kind);
      const render = (payload: object, headers: Record<string, string> = as.alice) =>
        app.inject({ method: 'POST', url: '/api/v1/kickstarts/render', headers, payload });

      assert.equal((await render({ configurations }, {})).statusCode, 401);
      const rendered = (await render({ configurations, repos })).json();
      assert.deepEqual(rendered.errors, []);
      assert.deepEqual(rendered.inactive, ['old']);
      assert.deepEqual(
        rendered.files.map((file: { name: string; path: string }) => [file.name, file.path]),
        [['Small', 'small.ks']],
      );
      assert.match(
        rendered.files[0].text,
        /^repo --name=main --baseurl=http:\/\/repo\.example\.org\/main\//m,
      );

      const chosen = (await render({ configurations, repos, name: 'old' })).json();
      assert.deepEqual(
        chosen.files.map((file: { path: string }) => file.path),
        ['old.ks'],
      );

      const withoutRepos = (await render({ configurations })).json();
      assert.deepEqual(withoutRepos.files, []);
      assert.equal(withoutRepos.errors[0].key, 'Repos');

      const needsFiles = (
        await render({ configurations: 'Configurations:\n  - FileName: a\n    PostScripts: [setup]\n' })
      ).json();
      assert.deepEqual(needsFiles.files, []);
      assert.deepEqual(needsFiles.errors, [
        {
          file: 'configurations.yaml',
          line: 3,
          key: 'PostScripts',
          image: 'a',
          message: 'needs scripts/setup.post, but no script or partition files were given',
        },
      ]);
      const broken = (await render({ configurations: 'Configurations: [\n' })).json();
      assert.equal(broken.errors[0].file, 'configurations.yaml');
      assert.equal((await render({ configurations, surprise: 1 })).statusCode, 400);

      // Anchors and merge keys are how kickstarter files share settings; they still render.
      const shared = (
        await render({
          configurations: `Default: &d\n  Architecture: ia32\nConfigurations:\n  - FileName: merged\n    <<: *d\n`,
          repos,
        })
      ).json();
      assert.deepEqual(
        shared.files.map((file: { path: string }) => file.path),
        ['merged.ks'],
      );
      // An alias to no anchor, and aliases that would expand to millions of nodes ("billion laughs"):
      // answered with an error, at once, and the server goes on answering.
      const levels = ['a: &a [x, x, x, x, x, x, x, x, x, x]'];
      for (const [index, name] of [...'bcdefghij'].entries()) {
        const previous = String.fromCharCode(97 + index);
        levels.push(`${name}: &${name} [${Array(10).fill(`*${previous}`).join(', ')}]`);
      }
      for (const bomb of ['Configurations: *nowhere\n', `${levels.join('\n')}\n`]) {
        const answer = await render({ configurations: bomb });
        assert.equal(answer.statusCode, 200, answer.body);
        assert.deepEqual(answer.json().files, []);
        assert.match(
          answer.json().errors[0].message,
          /^YAML error: (Unresolved alias|Excessive alias count)/,
        );
      }
      assert.deepEqual((await render({ configurations, repos })).json(), rendered);
      const openapi = (await app.inject({ url: '/api/openapi.json' })).json();
      for (const path of [
        '/api/v1/kickstarts/lint',
        '/api/v1/kickstarts/render',
        '/api/v1/templates/{name}',
      ]) {
        assert.ok(openapi.paths[path], `${path} is documented`);
      }
    });

    test('render uses the script and partition files sent with the YAML, and refuses any other path', async (t) => {
      const { app, as } = await harness(t, kind);
      const render = (payload: object) =>
        app.inject({ method: 'POST', url: '/api/v1/kickstarts/render', headers: as.alice, payload });
      const scripted = [
        'Configurations:',
        '  - FileName: scripted',
        '    Part: n900',
        '    PostScripts: [setup]',
        '    NoChrootScripts: [copy]',
      ].join('\n');
      const files = {
        'scripts/setup.post': 'echo set up inside\n',
        'scripts/copy.nochroot': 'echo copied outside\n',
        'partitions/n900': 'part / --size=1000 --fstype=ext4\n',
      };
      const rendered = (await render({ configurations: scripted, files })).json();
      assert.deepEqual(rendered.errors, []);
      const text: string = rendered.files[0].text;
      assert.match(text, /^part \/ --size=1000 --fstype=ext4$/m);
      assert.match(text, /^%post\n(.*\n)*echo set up inside$/m);
      assert.match(text, /^%post --nochroot\n(.*\n)*echo copied outside$/m);

      // A file the YAML names but the caller did not send is the renderer's error, naming the key.
      const { 'scripts/setup.post': _left, ...withoutSetup } = files;
      const missing = (await render({ configurations: scripted, files: withoutSetup })).json();
      assert.deepEqual(missing.files, []);
      assert.equal(missing.errors[0].key, 'PostScripts');

      // Paths are lookup keys only, but one that could not be a kickstarter file is refused by name.
      for (const path of [
        '../scripts/setup.post',
        '/etc/passwd',
        'scripts/../../etc/passwd',
        'scripts/sub/setup.post',
        'scripts/.hidden',
        'scripts/',
        'configurations.yaml',
        'scripts\\setup.post',
      ]) {
        const answer = await render({ configurations: scripted, files: { ...files, [path]: 'x' } });
        assert.equal(answer.statusCode, 400, path);
        assert.ok(answer.json().message.includes(JSON.stringify(path)), answer.json().message);
      }
      const many = Object.fromEntries(
        Array.from({ length: 201 }, (_, index) => [`scripts/s${index}.post`, '']),
      );
      const tooMany = await render({ configurations: scripted, files: many });
      assert.equal(tooMany.statusCode, 400);
      assert.match(tooMany.json().message, /more than 200/);
      const huge = await render({
        configurations: scripted,
        files: { 'scripts/setup.post': 'x'.repeat(5 * MAX_KICKSTART_BYTES) },
      });
      assert.equal(huge.statusCode, 413);
    });

    test('render takes the kickstarter folder as a tar, plain or gzip-compressed, and refuses a hostile one', async (t) => {
      const { app, as } = await harness(t, kind);
      const post = (tar: Buffer, type = 'application/x-tar', query = '') =>
        app.inject({
          method: 'POST',
          url: `/api/v1/kickstarts/render${query}`,
          headers: { ...as.alice, 'content-type': type },
          payload: tar,
        });
      const folder = [
        {
          name: 'configs/configurations.yaml',
          content: 'Configurations:\n  - FileName: a\n    PostScripts: [setup]\n  - FileName: b\n',
        },
        { name: 'configs/scripts/setup.post', content: 'echo from the tar\n' },
      ];
      const tar = await tarOf(folder);
      const rendered = await post(tar);
      assert.equal(rendered.statusCode, 200, rendered.body);
      assert.deepEqual(rendered.json().errors, []);
      assert.match(rendered.json().files[0].text, /^echo from the tar$/m);
      const zipped = await post(gzipSync(tar), 'application/gzip', '?name=b');
      assert.deepEqual(
        zipped.json().files.map((file: { path: string }) => file.path),
        ['b.ks'],
      );

      const escaping = await post(await tarOf([...folder, { name: '../../etc/passwd', content: 'x' }]));
      assert.equal(escaping.statusCode, 400);
      assert.match(escaping.json().message, /"\.\.\/\.\.\/etc\/passwd" names a path outside the folder/);
      const linked = await post(
        await tarOf([...folder, { name: 'configs/partitions/p', type: 'symlink', linkname: '/etc/shadow' }]),
      );
      assert.equal(linked.statusCode, 400);
      assert.match(linked.json().message, /is a symlink/);
      const without = await post(await tarOf([{ name: 'scripts/setup.post', content: 'x' }]));
      assert.equal(without.statusCode, 400);
      assert.match(without.json().message, /no configurations\.yaml/);
      const tooBig = await post(Buffer.alloc(MAX_KICKSTARTER_TAR_BYTES + 1));
      assert.equal(tooBig.statusCode, 413);
      assert.equal((await post(tar, 'application/x-tar', '?name=a')).json().files.length, 1);
      const openapi = (await app.inject({ url: '/api/openapi.json' })).json();
      const content = openapi.paths['/api/v1/kickstarts/render'].post.requestBody.content;
      assert.deepEqual(Object.keys(content).sort(), [
        'application/gzip',
        'application/json',
        'application/x-tar',
      ]);
    });
  });
}

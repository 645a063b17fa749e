import assert from 'node:assert/strict';
import {
  mkdirSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileIncludeReader } from '../../src/kickstart/include.ts';
import { type ParseOptions, type ParseResult, parseKickstart } from '../../src/kickstart/parser.ts';

const top = realpathSync(mkdtempSync(join(tmpdir(), 'img-include-')));
after(() => rmSync(top, { recursive: true, force: true }));

let folders = 0;
/** A fresh folder holding the given files, so that tests do not see each other's files. */
function tree(files: Record<string, string[]>): string {
  const root = join(top, `t${folders++}`);
  for (const [name, lines] of Object.entries(files)) {
    mkdirSync(dirname(join(root, name)), { recursive: true });
    writeFileSync(join(root, name), `${lines.join('\n')}\n`);
  }
  return root;
}

function parseFile(path: string, options: ParseOptions = {}): ParseResult {
  return parseKickstart(readFileSync(path), { file: path, ...options });
}

/** Diagnostics as `FILE:LINE severity message`, files relative to the tree. */
function report(result: ParseResult, root: string): string[] {
  return result.diagnostics.map(
    (d) => `${d.file.replace(`${root}/`, '')}:${d.line} ${d.severity} ${d.message}`,
  );
}

describe('%include', () => {
  it('reads a file relative to the including file, nested includes relative to theirs', () => {
    const root = tree({
      'main.ks': ['lang en_US', '%include parts/disk.ks', 'timezone UTC'],
      'parts/disk.ks': ['part / --size=900', '%include more/swap.ks'],
      'parts/more/swap.ks': ['part swap --size=100'],
    });
    const result = parseFile(join(root, 'main.ks'));
    assert.deepEqual(report(result, root), []);
    assert.deepEqual(
      result.kickstart.commands.map(
        (c) => `${c.location.file.replace(`${root}/`, '')}:${c.location.line} ${c.name}`,
      ),
      ['main.ks:1 lang', 'parts/disk.ks:1 part', 'parts/more/swap.ks:1 part', 'main.ks:3 timezone'],
    );
  });

  it('names the included file and its line in errors, and carries on', () => {
    const root = tree({
      'main.ks': ['%include bad.ks', 'frobnicate'],
      'bad.ks': ['lang en_US', 'part / --size=big'],
    });
    assert.deepEqual(report(parseFile(join(root, 'main.ks')), root), [
      'bad.ks:2 error part: --size expects a number, got "big"',
      'main.ks:2 error unknown command "frobnicate"',
    ]);
  });

  it('names the file of an earlier line in another file', () => {
    const root = tree({ 'main.ks': ['lang en_US', '%include more.ks'], 'more.ks': ['lang fi_FI'] });
    assert.deepEqual(report(parseFile(join(root, 'main.ks')), root), [
      `more.ks:1 warning lang: given again; this one replaces ${root}/main.ks line 1`,
    ]);
  });

  it('is followed inside a section, as pykickstart does', () => {
    const root = tree({
      'main.ks': [
        '%packages',
        'vim',
        '%include more.txt',
        'zsh',
        '%end',
        '%post',
        '%include body.sh',
        '%end',
      ],
      'more.txt': ['emacs', '-nano'],
      'body.sh': ['echo included'],
    });
    const { kickstart, diagnostics } = parseFile(join(root, 'main.ks'));
    assert.deepEqual(diagnostics, []);
    assert.deepEqual(kickstart.packages!.packages, ['vim', 'emacs', 'zsh']);
    assert.deepEqual(kickstart.packages!.excludedPackages, ['nano']);
    assert.equal(kickstart.scripts[0]!.body, 'echo included\n');
  });

  it('reports a missing file, a folder and a line without exactly one file name', () => {
    const root = tree({
      'main.ks': ['%include nothing.ks', '%include', '%include a b', '%include sub'],
      'sub/x': [],
    });
    assert.deepEqual(report(parseFile(join(root, 'main.ks')), root), [
      'main.ks:1 error %include nothing.ks: no such file',
      'main.ks:2 error %include expects one file name',
      'main.ks:3 error %include expects one file name',
      'main.ks:4 error %include sub: not a file',
    ]);
  });

  it('stops at the depth limit, which the caller may set', () => {
    const files: Record<string, string[]> = { 'd0.ks': ['%include d1.ks'] };
    for (let i = 1; i < 15; i++) files[`d${i}.ks`] = [`%include d${i + 1}.ks`];
    files['d15.ks'] = ['lang en_US'];
    const root = tree(files);
    assert.deepEqual(report(parseFile(join(root, 'd0.ks')), root), [
      'd10.ks:1 error %include nests deeper than 10 files',
    ]);
    assert.deepEqual(report(parseFile(join(root, 'd0.ks'), { maxIncludeDepth: 3 }), root), [
      'd3.ks:1 error %include nests deeper than 3 files',
    ]);
    assert.deepEqual(report(parseFile(join(root, 'd0.ks'), { maxIncludeDepth: 20 }), root), []);
  });

  it('refuses a file that includes itself, directly or through another', () => {
    const root = tree({
      'self.ks': ['%include self.ks'],
      'a.ks': ['%include b.ks'],
      'b.ks': ['%include a.ks'],
    });
    assert.deepEqual(report(parseFile(join(root, 'self.ks')), root), [
      'self.ks:1 error %include self.ks includes itself',
    ]);
    assert.deepEqual(report(parseFile(join(root, 'a.ks')), root), [
      'b.ks:1 error %include a.ks includes itself',
    ]);
  });

  it('refuses a URL unless URLs are allowed', () => {
    const root = tree({ 'main.ks': ['%include http://example.com/x.ks'] });
    assert.deepEqual(report(parseFile(join(root, 'main.ks')), root), [
      'main.ks:1 error %include of a URL (http://example.com/x.ks) is not allowed here',
    ]);
    assert.deepEqual(report(parseFile(join(root, 'main.ks'), { allowUrls: true }), root), [
      'main.ks:1 error %include http://example.com/x.ks: the URL could not be fetched',
    ]);
  });

  it('reads a URL the caller fetched ahead of the parse', () => {
    const read = fileIncludeReader({
      roots: [],
      baseDir: top,
      allowUrls: true,
      urls: new Map([['https://example.com/x.ks', 'lang fi_FI\n']]),
    });
    const { kickstart, diagnostics } = parseKickstart('%include https://example.com/x.ks\n', {
      readInclude: read,
    });
    assert.deepEqual(diagnostics, []);
    assert.deepEqual(kickstart.commands[0]!.location, { file: 'https://example.com/x.ks', line: 1 });
  });

  it('refuses a file outside the allowed folders, saying which folders are allowed', () => {
    const root = tree({ 'secret.ks': ['lang en_US'], 'ks/main.ks': [] });
    const ks = join(root, 'ks');
    writeFileSync(join(ks, 'main.ks'), `%include ../secret.ks\n%include ${root}/secret.ks\n`);
    symlinkSync(join(root, 'secret.ks'), join(ks, 'link.ks'));
    writeFileSync(join(ks, 'via-link.ks'), '%include link.ks\n');
    assert.deepEqual(report(parseFile(join(ks, 'main.ks')), root), [
      `ks/main.ks:1 error %include ../secret.ks is outside the folders includes may come from (${ks})`,
      `ks/main.ks:2 error %include ${root}/secret.ks is outside the folders includes may come from (${ks})`,
    ]);
    assert.deepEqual(report(parseFile(join(ks, 'via-link.ks')), root), [
      `ks/via-link.ks:1 error %include link.ks is outside the folders includes may come from (${ks})`,
    ]);
    assert.deepEqual(report(parseFile(join(ks, 'main.ks'), { includeRoots: [root] }), root), [
      'secret.ks:1 warning lang: given again; this one replaces line 1',
    ]);
  });

  it('resolves the includes of an unnamed kickstart in baseDir', () => {
    const root = tree({ 'x.ks': ['lang en_US'] });
    assert.deepEqual(parseKickstart('%include x.ks\n', { baseDir: root }).diagnostics, []);
    assert.equal(
      parseKickstart('%include x.ks\n', { baseDir: top }).errors[0]!.message,
      '%include x.ks: no such file',
    );
  });
});

describe('%ksappend', () => {
  it('splices a file in before parsing, keeping every line its own file and number', () => {
    const root = tree({
      'main.ks': ['lang en_US', '%ksappend extra.ks', 'frobnicate', '%post', '%ksappend body.sh', '%end'],
      'extra.ks': ['timezone UTC', 'bogus'],
      'body.sh': ['echo appended'],
    });
    const result = parseFile(join(root, 'main.ks'));
    assert.deepEqual(report(result, root), [
      'extra.ks:2 error unknown command "bogus"',
      'main.ks:3 error unknown command "frobnicate"',
    ]);
    assert.deepEqual(
      result.kickstart.commands.map((c) => c.name),
      ['lang', 'timezone'],
    );
    assert.equal(result.kickstart.scripts[0]!.body, 'echo appended\n');
  });

  it('follows the same rules as %include', () => {
    const root = tree({ 'main.ks': ['%ksappend none.ks', '%ksappend http://x/y', '%ksappend main.ks'] });
    assert.deepEqual(report(parseFile(join(root, 'main.ks')), root), [
      'main.ks:1 error %ksappend none.ks: no such file',
      'main.ks:2 error %ksappend of a URL (http://x/y) is not allowed here',
      'main.ks:3 error %ksappend main.ks includes itself',
    ]);
  });
});

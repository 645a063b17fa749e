import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { formatKickstart } from '../../src/kickstart/format.ts';
import { kickstartMeaning } from '../../src/kickstart/meaning.ts';
import { parseKickstart } from '../../src/kickstart/parser.ts';
import { kickstartFiles } from './files.ts';
import { generateKickstart } from './generate.ts';
import { seededRandom } from './random.ts';

/** parse(format(parse(x))) means what parse(x) means, and format is idempotent. */
function assertRoundTrip(text: string | Uint8Array, file: string): void {
  const first = parseKickstart(text, { file });
  const source = typeof text === 'string' ? `\n${text}` : '';
  assert.deepEqual(first.errors, [], `${file} should parse${source}`);
  const formatted = formatKickstart(first.kickstart);
  const second = parseKickstart(formatted, { file: 'formatted.ks' });
  const context = `${file}${source}\nformatted as:\n${formatted}`;
  assert.deepEqual(second.errors, [], context);
  assert.deepEqual(kickstartMeaning(second.kickstart), kickstartMeaning(first.kickstart), context);
  assert.equal(formatKickstart(second.kickstart), formatted, context);
}

describe('format round trip', () => {
  it('holds for generated kickstarts', () => {
    const random = seededRandom(20260101);
    for (let i = 0; i < 400; i++) {
      const text = generateKickstart(random);
      assertRoundTrip(text, `generated-${i}.ks`);
    }
  });

  const files = kickstartFiles();
  it('holds for the shipped templates and the test fixtures', {
    skip: files.length === 0 && 'no .ks files yet',
  }, () => {
    for (const file of files) assertRoundTrip(readFileSync(file), file);
  });
});

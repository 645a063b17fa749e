// What the deploy tests read: the files of deploy/ and the examples of docs/operations.md, so that the tests
// check what an operator is told to install and write, not a copy of it.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const checkout = fileURLToPath(new URL('../..', import.meta.url)).replace(/\/$/, '');

export const unitFiles = ['imger-web.service', 'imger-participant.service', 'imger-worker@.service'] as const;

/** A file under deploy/, e.g. `systemd/imger-web.service`. */
export function deployFile(path: string): string {
  return readFileSync(`${checkout}/deploy/${path}`, 'utf8');
}

/** Every value a unit gives `key` (one per line that sets it), comments aside. */
export function unitSetting(unit: string, key: string): string[] {
  return [...unit.matchAll(new RegExp(`^${key}=(.*)$`, 'gm'))].map((match) => match[1]?.trim() ?? '');
}

/** The code block of docs/operations.md marked `<!-- example: NAME -->` on the line before it. */
export function guideExample(name: string): string {
  const guide = readFileSync(`${checkout}/docs/operations.md`, 'utf8');
  const marker = `<!-- example: ${name} -->\n`;
  const start = guide.indexOf(marker);
  assert.ok(start >= 0, `docs/operations.md has no example "${name}"`);
  const block = /^```[^\n]*\n([\s\S]*?)^```$/m.exec(guide.slice(start + marker.length));
  assert.ok(block?.index === 0, `the example "${name}" is not a code block right after its marker`);
  return block[1] ?? '';
}

/**
 * `text` with each placeholder of the guide replaced by what stands for it here; a placeholder that is no longer
 * in the text fails, so a guide that changes its examples cannot leave the test checking something else.
 */
export function substitute(text: string, replacements: Record<string, string>, what: string): string {
  let result = text;
  for (const [placeholder, value] of Object.entries(replacements)) {
    assert.ok(result.includes(placeholder), `${what} no longer contains ${placeholder}`);
    result = result.replaceAll(placeholder, value);
  }
  return result;
}

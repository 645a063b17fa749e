import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type Kickstart, type ParseOptions, parseKickstart } from '../../../src/kickstart/index.ts';

/** The file's lines, as a kickstart author would write them. */
export function ks(...lines: string[]): string {
  return `${lines.join('\n')}\n`;
}

/** Parses a kickstart that must give no error and no warning. */
export function parseClean(text: string, options?: ParseOptions): Kickstart {
  const result = parseKickstart(text, options);
  assert.deepEqual(result.diagnostics, []);
  return result.kickstart;
}

function lineMessages(text: string, severity: 'error' | 'warning', options?: ParseOptions): string[] {
  return parseKickstart(text, options)
    .diagnostics.filter((d) => d.severity === severity)
    .map((d) => `line ${d.line}: ${d.message}`);
}

export function errorsOf(text: string, options?: ParseOptions): string[] {
  return lineMessages(text, 'error', options);
}

export function warningsOf(text: string, options?: ParseOptions): string[] {
  return lineMessages(text, 'warning', options);
}

/** A bad input and every diagnostic it must give, each as `line N: message`. */
export interface Case {
  name: string;
  lines: string[];
  errors?: string[];
  warnings?: string[];
  options?: ParseOptions;
}

export function cases(list: readonly Case[]): void {
  for (const c of list) {
    test(c.name, () => {
      const text = ks(...c.lines);
      assert.deepEqual(errorsOf(text, c.options), c.errors ?? []);
      assert.deepEqual(warningsOf(text, c.options), c.warnings ?? []);
    });
  }
}

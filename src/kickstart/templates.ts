import type { Dirent } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describeFsError } from './fs-error.ts';
import { tokensIn } from './tokens.ts';

/** The ready templates shipped with IMG, in the repository's `templates/` folder. */
export const bundledTemplatesDir = resolve(fileURLToPath(import.meta.url), '../../../templates');

/** What a template's header comments suggest to the submit form. */
export interface TemplateHints {
  displayName?: string;
  suggestedImageType?: string;
  suggestedArchitecture?: string;
  suggestedFeatures: string[];
  /** The header's other comment lines: what the template builds, paragraphs split by a bare `#` line. */
  description: string;
}

export interface KickstartTemplate {
  /** The file name without `.ks`: how jobs and the API refer to the template. */
  name: string;
  displayName: string;
  suggestedImageType?: string;
  suggestedArchitecture?: string;
  suggestedFeatures: string[];
  description: string;
  /** The `@TOKEN@`s of the text, in order of first use: what a submitter may fill in (mic's --tokenmap). */
  tokens: string[];
  path: string;
}

export interface TemplateError {
  path: string;
  message: string;
}

/** Readable templates even when others failed, so one bad file does not empty the form's list. */
export interface TemplateListing {
  templates: KickstartTemplate[];
  errors: TemplateError[];
}

const hintLine = /^#\s*(DisplayName|SuggestedImageType|SuggestedArchitecture|SuggestedFeatures)\s*:(.*)$/;
/** mic's options line, `# -*-mic-options-*- … -*-mic-options-*-`: for mic, not prose for a reader. */
const micOptionsLine = /^#.*-\*-mic-options-\*-/;

/**
 * Reads the `# Key: value` hints of the header: the comment and blank lines before the first command. Hints
 * further down could be commented-out text of the kickstart itself, so they are not trusted.
 */
export function readTemplateHints(text: string): TemplateHints {
  const hints: TemplateHints = { suggestedFeatures: [], description: '' };
  const paragraphs: string[][] = [[]];
  for (const line of text.split(/\r?\n/)) {
    const trimmed = line.trim();
    if (trimmed !== '' && !trimmed.startsWith('#')) break;
    const [, key, raw = ''] = hintLine.exec(trimmed) ?? [];
    const value = raw.trim();
    if (key === undefined) {
      const prose = trimmed.replace(/^#+/, '').trim();
      if (prose === '') paragraphs.push([]);
      else if (!micOptionsLine.test(trimmed)) paragraphs.at(-1)?.push(prose);
    } else if (key === 'SuggestedFeatures') {
      hints.suggestedFeatures = value
        .split(',')
        .map((feature) => feature.trim())
        .filter((feature) => feature !== '');
    } else if (key !== undefined && value !== '') {
      hints[hintKeys[key as keyof typeof hintKeys]] = value;
    }
  }
  hints.description = paragraphs
    .filter((paragraph) => paragraph.length > 0)
    .map((paragraph) => paragraph.join(' '))
    .join('\n\n');
  return hints;
}

const hintKeys = {
  DisplayName: 'displayName',
  SuggestedImageType: 'suggestedImageType',
  SuggestedArchitecture: 'suggestedArchitecture',
} as const;

/** Every `*.ks` file of `dir` with its hints, sorted by display name as the submit form shows them. */
export async function listTemplates(dir: string = bundledTemplatesDir): Promise<TemplateListing> {
  let entries: Dirent[];
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (error) {
    return {
      templates: [],
      errors: [{ path: dir, message: `cannot list templates: ${describeFsError(error)}` }],
    };
  }
  const listing: TemplateListing = { templates: [], errors: [] };
  const templateFiles = entries.filter((entry) => entry.name.endsWith('.ks') && !entry.isDirectory());
  for (const entry of templateFiles) {
    const path = join(dir, entry.name);
    try {
      const text = await readFile(path, 'utf8');
      const { displayName, ...hints } = readTemplateHints(text);
      const name = entry.name.slice(0, -'.ks'.length);
      listing.templates.push({
        name,
        displayName: displayName ?? name,
        ...hints,
        tokens: tokensIn(text),
        path,
      });
    } catch (error) {
      listing.errors.push({ path, message: `cannot read template: ${describeFsError(error)}` });
    }
  }
  listing.templates.sort((a, b) => compareText(a.displayName, b.displayName) || compareText(a.name, b.name));
  return listing;
}

function compareText(a: string, b: string): number {
  return a.localeCompare(b, 'en');
}

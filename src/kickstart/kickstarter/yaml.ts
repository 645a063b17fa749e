import { type Document, isMap, isScalar, LineCounter, parseDocument } from 'yaml';
import type { Outcome, SourceFile } from './types.ts';

export type YamlValue = string | null | YamlValue[] | YamlMapping;
export interface YamlMapping {
  [key: string]: YamlValue;
}

export type YamlPath = readonly (string | number)[];

export interface YamlDocument {
  file: string;
  value: YamlValue;
  /** 1-based line where the node at `path` starts, when that node exists in the text (not only via a merge key). */
  lineOf(path: YamlPath): number | undefined;
}

/**
 * kickstarter files were read by PyYAML, and values such as `Baseline: 1.0` or `Keyboard: no` must reach the
 * kickstart as written. Dropping the number and boolean tags keeps every scalar as its source text (booleans are
 * read per key later); null stays so that an empty `Key:` means "not set".
 */
const textOnlyTags = new Set([
  'tag:yaml.org,2002:map',
  'tag:yaml.org,2002:seq',
  'tag:yaml.org,2002:str',
  'tag:yaml.org,2002:null',
]);

/**
 * Anchors and merge keys (`<<: *defaults`) are how kickstarter files share settings, so aliases are read; this
 * many alias expansions in all is far above what a real file needs, and stops a small hostile file from
 * expanding into gigabytes.
 */
const MAX_ALIAS_COUNT = 1000;

export function loadYaml(source: SourceFile): Outcome<YamlDocument> {
  const lineCounter = new LineCounter();
  const document = parseDocument(source.text, {
    lineCounter,
    prettyErrors: false,
    // PyYAML lets a repeated key win silently, and shipped kickstarter files rely on it.
    uniqueKeys: false,
    merge: true,
    customTags: (tags) => tags.filter((tag) => typeof tag !== 'string' && textOnlyTags.has(tag.tag)),
  });
  if (document.errors.length > 0) {
    return {
      ok: false,
      errors: document.errors.map((error) => ({
        file: source.path,
        message: `YAML error: ${error.message}`,
        line: lineCounter.linePos(error.pos[0]).line,
      })),
    };
  }
  let value: YamlValue;
  try {
    value = document.toJS({ maxAliasCount: MAX_ALIAS_COUNT }) as YamlValue;
  } catch (error) {
    // An alias to no anchor, or aliases that would expand without bound ("billion laughs").
    return { ok: false, errors: [{ file: source.path, message: `YAML error: ${(error as Error).message}` }] };
  }
  return {
    ok: true,
    value: {
      file: source.path,
      value,
      lineOf(path) {
        const offset = startOf(nodeAt(document, path));
        return offset === undefined ? undefined : lineCounter.linePos(offset).line;
      },
    },
  };
}

export function isMapping(value: YamlValue | undefined): value is YamlMapping {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** For a mapping entry the key is the node to point at: a block value starts on the line after it. */
function nodeAt(document: Document, path: YamlPath): unknown {
  const last = path.at(-1);
  if (last === undefined) return document.contents;
  const parent = document.getIn(path.slice(0, -1), true);
  if (isMap(parent)) {
    return parent.items.find((pair) => isScalar(pair.key) && pair.key.value === last)?.key;
  }
  return document.getIn(path, true);
}

function startOf(node: unknown): number | undefined {
  const range = (node as { range?: unknown } | null | undefined)?.range;
  return Array.isArray(range) && typeof range[0] === 'number' ? range[0] : undefined;
}

import { useState } from 'react';
import type { RenderResult } from '../../../client/api-client.ts';
import { formatKickstarterError } from '../../../kickstart/kickstarter/errors.ts';
import { api } from '../../app/api.ts';
import { ErrorNotice } from '../../components/ErrorNotice.tsx';
import type { SubmitDraft } from './draft.ts';
import { readKickstarterFolder } from './kickstarter-folder.ts';
import { NumberedText } from './NumberedText.tsx';

type RenderedFile = RenderResult['files'][number];

/** Chromium's and Firefox's folder picker; React has no name for the attribute. */
const FOLDER_PICKER = { webkitdirectory: '' } as object;

/** The lines of one YAML file that the render found wrong, for its gutter. */
function errorLines(result: RenderResult | undefined, file: string): ReadonlyMap<number, string> {
  return new Map(
    (result?.errors ?? [])
      .filter((error) => error.file === file && error.line !== undefined)
      .map((error) => [error.line as number, 'bad']),
  );
}

interface KickstarterSourceProps {
  draft: SubmitDraft;
  update: (changes: Partial<SubmitDraft>) => void;
}

/**
 * Kickstarter YAML pasted in, rendered by the server; the chosen image's kickstart goes into the editor below,
 * to be checked, corrected and submitted like pasted text.
 */
export function KickstarterSource({ draft, update }: KickstarterSourceProps) {
  const [result, setResult] = useState<RenderResult>();
  const [failure, setFailure] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const choose = (file: RenderedFile | undefined) =>
    update({ fileName: file?.path ?? '', text: file?.text ?? '' });
  const snippetNames = Object.keys(draft.kickstarterFiles).sort();

  const loadFolder = async (files: FileList | null) => {
    const folder = await readKickstarterFolder(
      [...(files ?? [])].map((file) => ({
        path: file.webkitRelativePath || file.name,
        text: () => file.text(),
      })),
    );
    update({
      kickstarterFiles: folder.files,
      ...(folder.configurations === undefined ? {} : { configurationsYaml: folder.configurations }),
      ...(folder.repos === undefined ? {} : { reposYaml: folder.repos }),
    });
  };

  const render = async () => {
    setBusy(true);
    setFailure(undefined);
    try {
      const rendered = await api.render({
        configurations: draft.configurationsYaml,
        ...(draft.reposYaml.trim() === '' ? {} : { repos: draft.reposYaml }),
        // Without a folder, a configuration naming a script is refused saying that no files came.
        ...(snippetNames.length === 0 ? {} : { files: draft.kickstarterFiles }),
      });
      setResult(rendered);
      choose(rendered.files[0]);
    } catch (error) {
      setFailure(error);
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <label htmlFor="kickstarter-folder">A kickstarter folder (optional)</label>
      <input
        id="kickstarter-folder"
        type="file"
        multiple
        {...FOLDER_PICKER}
        onChange={(event) => void loadFolder(event.target.files)}
      />
      <p className="hint">
        Its configurations.yaml and repos.yaml fill the boxes below; its scripts/ and partitions/ files go
        with them.
        {snippetNames.length > 0 && ` Sent along: ${snippetNames.join(', ')}.`}
      </p>
      <label htmlFor="kickstarter-configurations">configurations.yaml</label>
      <NumberedText
        id="kickstarter-configurations"
        className="yaml"
        value={draft.configurationsYaml}
        lineClasses={errorLines(result, 'configurations.yaml')}
        onChange={(configurationsYaml) => update({ configurationsYaml })}
      />
      <label htmlFor="kickstarter-repos">repos.yaml (when the configurations name repositories)</label>
      <NumberedText
        id="kickstarter-repos"
        className="yaml"
        value={draft.reposYaml}
        lineClasses={errorLines(result, 'repos.yaml')}
        onChange={(reposYaml) => update({ reposYaml })}
      />
      <p className="hint">ExternalConfigs folders cannot be used: put those configurations in this file.</p>
      <div className="actions">
        <button
          type="button"
          disabled={busy || draft.configurationsYaml.trim() === ''}
          onClick={() => void render()}
        >
          {busy ? 'Rendering…' : 'Render the kickstart'}
        </button>
      </div>
      <ErrorNotice error={failure} />
      {result && <RenderOutcome result={result} chosen={draft.fileName} onChoose={choose} />}
    </>
  );
}

function RenderOutcome({
  result,
  chosen,
  onChoose,
}: {
  result: RenderResult;
  chosen: string;
  onChoose: (file: RenderedFile | undefined) => void;
}) {
  return (
    <>
      {result.errors.length > 0 && (
        <div className="notice error" id="kickstarter-errors" role="alert">
          <p>The YAML has {result.errors.length === 1 ? 'an error' : `${result.errors.length} errors`}:</p>
          <ul className="lint-errors">
            {result.errors.map((error) => (
              <li key={formatKickstarterError(error)}>{formatKickstarterError(error)}</li>
            ))}
          </ul>
        </div>
      )}
      {result.files.length === 0 && result.errors.length === 0 && (
        <p className="notice info">No active configuration to render.</p>
      )}
      {result.files.length > 1 && (
        <>
          <label htmlFor="kickstarter-image">Image to submit</label>
          <select
            id="kickstarter-image"
            value={chosen}
            onChange={(event) => onChoose(result.files.find((file) => file.path === event.target.value))}
          >
            {result.files.map((file) => (
              <option key={file.path} value={file.path}>
                {file.name} ({file.path})
              </option>
            ))}
          </select>
        </>
      )}
      {result.inactive.length > 0 && (
        <p className="hint">Inactive, not rendered: {result.inactive.join(', ')}</p>
      )}
    </>
  );
}

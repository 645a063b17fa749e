import type { TemplateInfo } from '../../../client/api-client.ts';
import { ErrorNotice } from '../../components/ErrorNotice.tsx';
import { KICKSTART_SOURCES, type KickstartSource, type SubmitDraft } from './draft.ts';
import { KickstartEditor } from './KickstartEditor.tsx';
import { KickstarterSource } from './KickstarterSource.tsx';
import { type KickstartProblems, LintErrors } from './LintErrors.tsx';
import { TemplatePreview } from './TemplatePreview.tsx';

interface SourceFieldsetProps {
  draft: SubmitDraft;
  templates: readonly TemplateInfo[];
  problems: KickstartProblems;
  /** Why the check while typing could not be made. */
  lintFailure: unknown;
  update: (changes: Partial<SubmitDraft>) => void;
  /** Another source: what the old one set is cleared (see withSource). */
  onSource: (source: KickstartSource) => void;
  onTemplate: (template: TemplateInfo | undefined) => void;
}

export function SourceFieldset({
  draft,
  templates,
  problems,
  lintFailure,
  update,
  onSource,
  onTemplate,
}: SourceFieldsetProps) {
  const editable = draft.source === 'text' || (draft.source !== 'template' && draft.fileName !== '');
  const loadFile = async (file: File | undefined) => {
    if (!file) return;
    update({ fileName: file.name, text: await file.text() });
  };
  return (
    <fieldset>
      <legend>Kickstart</legend>
      <div role="radiogroup" aria-label="Where the kickstart comes from">
        {(Object.keys(KICKSTART_SOURCES) as KickstartSource[]).map((source) => (
          <label className="inline" key={source}>
            <input
              type="radio"
              name="source"
              value={source}
              checked={draft.source === source}
              onChange={() => onSource(source)}
            />
            {KICKSTART_SOURCES[source].label}
          </label>
        ))}
      </div>
      {draft.source === 'template' && (
        <>
          <label htmlFor="template">Template</label>
          <select
            id="template"
            value={draft.template}
            onChange={(event) => onTemplate(templates.find((entry) => entry.name === event.target.value))}
          >
            {templates.map((template) => (
              <option key={template.name} value={template.name}>
                {template.display_name}
              </option>
            ))}
          </select>
          {draft.template !== '' && <TemplatePreview key={draft.template} name={draft.template} />}
          <LintErrors problems={problems} />
        </>
      )}
      {draft.source === 'file' && (
        <>
          <label htmlFor="kickstart-file">Kickstart file</label>
          <input
            id="kickstart-file"
            type="file"
            accept=".ks,.cfg,text/plain"
            onChange={(event) => loadFile(event.target.files?.[0])}
          />
          {draft.fileName !== '' && (
            <p className="hint">{draft.fileName}: shown below as it will be sent; corrections go with it.</p>
          )}
        </>
      )}
      {draft.source === 'kickstarter' && <KickstarterSource draft={draft} update={update} />}
      {editable && (
        <>
          <label htmlFor="kickstart-text">Kickstart text</label>
          <KickstartEditor text={draft.text} onChange={(text) => update({ text })} problems={problems} />
          <ErrorNotice error={lintFailure} />
          <p className="hint">Checked by the server as you type; errors show here with their lines.</p>
        </>
      )}
    </fieldset>
  );
}

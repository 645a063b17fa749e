import { type FormEvent, useEffect, useState } from 'react';
import { ApiError, type TemplateInfo } from '../../../client/api-client.ts';
import { api } from '../../app/api.ts';
import { navigate, useLocation } from '../../app/router.tsx';
import { jobPath } from '../../app/routes.ts';
import { useResource } from '../../app/use-resource.ts';
import { ErrorNotice } from '../../components/ErrorNotice.tsx';
import { PageTitle } from '../../components/PageTitle.tsx';
import {
  draftFromJob,
  emptyDraft,
  type KickstartSource,
  lintRequest,
  type SubmitDraft,
  tokenNames,
  withSource,
} from './draft.ts';
import { ExtrasFieldset } from './ExtrasFieldset.tsx';
import type { KickstartProblems, LintError } from './LintErrors.tsx';
import { MetadataFieldset } from './MetadataFieldset.tsx';
import { SourceFieldset } from './SourceFieldset.tsx';
import { SubmitHelp } from './SubmitHelp.tsx';
import { sendDraft } from './send.ts';
import { TargetFieldset } from './TargetFieldset.tsx';
import { TokenFieldset } from './TokenFieldset.tsx';
import { useLint } from './use-lint.ts';

const loadCatalog = async () => {
  const [templates, imageTypes, arches, queues] = await Promise.all([
    api.templates(),
    api.imageTypes(),
    api.arches(),
    // With their workers and builds switch, so the form can mark a queue whose jobs would not start.
    api.queueStates(),
  ]);
  return { templates, imageTypes, arches, queues };
};
export type Catalog = Awaited<ReturnType<typeof loadCatalog>>;

/** A template's tokens and header hints (SuggestedImageType, SuggestedArchitecture), where the server offers them. */
function hintsOf(template: TemplateInfo | undefined, catalog: Catalog): Partial<SubmitDraft> {
  const known = (value: string | null | undefined, list: readonly { name: string }[]) =>
    value && list.some((entry) => entry.name === value) ? value : undefined;
  const type = known(template?.suggested_image_type, catalog.imageTypes);
  const arch = known(template?.suggested_architecture, catalog.arches);
  return {
    template: template?.name ?? '',
    templateTokens: template?.tokens ?? [],
    ...(type ? { type } : {}),
    ...(arch ? { arch } : {}),
  };
}

/** The type and arch a source starts with: the first of the server's lists, unless a template suggests others. */
function catalogDefaults(catalog: Catalog): Partial<SubmitDraft> {
  return { type: catalog.imageTypes[0]?.name ?? '', arch: catalog.arches[0]?.name ?? '' };
}

export function SubmitPage() {
  const catalog = useResource(loadCatalog, 'catalog');
  // `submit/?template=NAME`: the first-build prompt and other links preselect a template.
  const query = useLocation().query;
  const wantedTemplate = query.get('template');
  // `submit/?from=ID`: "Edit and resubmit" on a job's page fills the form from that job.
  const fromJob = query.get('from');
  const [draft, setDraft] = useState<SubmitDraft>(emptyDraft);
  const [refusedLines, setRefusedLines] = useState<LintError[]>([]);
  const [failure, setFailure] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const lint = useLint(lintRequest(draft));
  // A refusal stands for the draft it refused: any change hands the lines back to the check while typing.
  const update = (changes: Partial<SubmitDraft>) => {
    setDraft((current) => ({ ...current, ...changes }));
    setRefusedLines([]);
  };
  const problems: KickstartProblems = {
    errors: refusedLines.length > 0 ? refusedLines : (lint.result?.errors ?? []),
    warnings: lint.result?.warnings ?? [],
    refused: refusedLines.length > 0,
  };

  useEffect(() => {
    const lists = catalog.data;
    if (!lists) return;
    const queue = lists.queues.some((entry) => entry.name === 'web') ? 'web' : (lists.queues[0]?.name ?? '');
    setDraft((current) => ({
      ...current,
      ...catalogDefaults(lists),
      queue,
      ...hintsOf(lists.templates.find((entry) => entry.name === wantedTemplate) ?? lists.templates[0], lists),
    }));
    if (fromJob === null) return;
    let current = true;
    api.get(fromJob).then(
      (job) => {
        if (current) setDraft(draftFromJob(job));
      },
      (error: unknown) => {
        if (current) setFailure(error);
      },
    );
    return () => {
      current = false;
    };
  }, [catalog.data, wantedTemplate, fromJob]);

  useEffect(() => {
    if (refusedLines.length > 0)
      document.getElementById('kickstart-errors')?.scrollIntoView({ block: 'center' });
  }, [refusedLines]);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setRefusedLines([]);
    setFailure(undefined);
    try {
      navigate(jobPath((await sendDraft(draft)).id));
    } catch (error) {
      if (error instanceof ApiError && error.code === 'invalid-kickstart')
        setRefusedLines(error.kickstartErrors);
      else setFailure(error);
      setBusy(false);
    }
  };

  if (!catalog.data) {
    return (
      <>
        <PageTitle title="Submit">Create an image</PageTitle>
        {catalog.error ? <ErrorNotice error={catalog.error} /> : <p>Loading…</p>}
      </>
    );
  }
  const lists = catalog.data;
  const ready =
    (draft.source === 'template' && draft.template !== '') ||
    ((draft.source === 'file' || draft.source === 'kickstarter') && draft.fileName !== '') ||
    (draft.source === 'text' && draft.text.trim() !== '');
  const switchSource = (source: KickstartSource) => {
    const template = source === 'template' ? hintsOf(lists.templates[0], lists) : {};
    setDraft((current) => withSource(current, source, { ...catalogDefaults(lists), ...template }));
    setRefusedLines([]);
  };
  return (
    <div className="submit-layout">
      <form onSubmit={submit} className="submit-form">
        <PageTitle title="Submit">Create an image</PageTitle>
        <SourceFieldset
          draft={draft}
          templates={lists.templates}
          problems={problems}
          lintFailure={lint.failure}
          update={update}
          onSource={switchSource}
          onTemplate={(template) => update(hintsOf(template, lists))}
        />
        <TargetFieldset
          draft={draft}
          imageTypes={lists.imageTypes}
          arches={lists.arches}
          queues={lists.queues}
          update={update}
        />
        <TokenFieldset names={tokenNames(draft)} draft={draft} update={update} />
        <ExtrasFieldset draft={draft} update={update} />
        <MetadataFieldset draft={draft} update={update} />
        <ErrorNotice error={failure} />
        <div className="actions">
          <button type="submit" disabled={busy || !ready}>
            {busy ? 'Submitting…' : 'Submit'}
          </button>
        </div>
      </form>
      <SubmitHelp draft={draft} catalog={lists} />
    </div>
  );
}

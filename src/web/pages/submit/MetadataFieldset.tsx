import type { SubmitDraft } from './draft.ts';

interface MetadataFieldsetProps {
  draft: SubmitDraft;
  update: (changes: Partial<SubmitDraft>) => void;
}

export function MetadataFieldset({ draft, update }: MetadataFieldsetProps) {
  return (
    <fieldset>
      <legend>Tags and notification</legend>
      <div className="grid2">
        <div>
          <label htmlFor="tags">Tags</label>
          <input
            id="tags"
            value={draft.tags}
            placeholder="nightly, release-1"
            onChange={(event) => update({ tags: event.target.value })}
          />
          <p className="hint">Comma-separated; spaces inside a tag become _.</p>
        </div>
        <div>
          <label htmlFor="email">Notify e-mail</label>
          <input
            id="email"
            type="email"
            value={draft.email}
            placeholder="mail when the build ends"
            onChange={(event) => update({ email: event.target.value })}
          />
        </div>
      </div>
      <label className="inline">
        <input
          type="checkbox"
          checked={draft.pinned}
          onChange={(event) => update({ pinned: event.target.checked })}
        />
        Pin: keep the image until it is unpinned
      </label>
      <label className="inline">
        <input
          type="checkbox"
          checked={draft.fresh}
          onChange={(event) => update({ fresh: event.target.checked })}
        />
        Fresh build: build again even if an identical build is done or running
      </label>
    </fieldset>
  );
}

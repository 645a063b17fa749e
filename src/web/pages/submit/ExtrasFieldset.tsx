import type { SubmitDraft } from './draft.ts';

interface ExtrasFieldsetProps {
  draft: SubmitDraft;
  update: (changes: Partial<SubmitDraft>) => void;
}

/** Repositories and packages added to the kickstart's own. */
export function ExtrasFieldset({ draft, update }: ExtrasFieldsetProps) {
  const setRepo = (index: number, value: string) =>
    update({ repos: draft.repos.map((repo, at) => (at === index ? value : repo)) });
  return (
    <fieldset>
      <legend>Extra repositories and packages</legend>
      {draft.repos.map((repo, index) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: rows are edited in place, their position is their identity
        <div className="actions" key={index}>
          <input
            aria-label={`Extra repository ${index + 1}`}
            type="url"
            value={repo}
            placeholder="http://repo.example.org/path/"
            onChange={(event) => setRepo(index, event.target.value)}
          />
          <button
            type="button"
            className="secondary"
            onClick={() => update({ repos: draft.repos.filter((_, at) => at !== index) })}
          >
            Remove
          </button>
        </div>
      ))}
      <button type="button" className="secondary" onClick={() => update({ repos: [...draft.repos, ''] })}>
        Add a repository
      </button>
      <label htmlFor="packages">Extra packages</label>
      <input
        id="packages"
        value={draft.packages}
        placeholder="vim, -nano, @group"
        onChange={(event) => update({ packages: event.target.value })}
      />
      <p className="hint">Comma-separated; -name leaves a package out, @name is a group.</p>
    </fieldset>
  );
}

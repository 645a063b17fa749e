import { type FormEvent, useState } from 'react';
import type { Job } from '../../../client/api-client.ts';
import { api } from '../../app/api.ts';
import { splitList } from '../../app/format.ts';
import { useAction } from '../../app/use-action.ts';
import { ErrorNotice } from '../../components/ErrorNotice.tsx';

export function TagEditor({ job, onChanged }: { job: Job; onChanged: () => void }) {
  const [text, setText] = useState(job.tags.join(', '));
  const { run, busy, error } = useAction(onChanged);
  const save = (event: FormEvent) => {
    event.preventDefault();
    run(async () => setText((await api.patch(job.id, { tags: splitList(text) })).tags.join(', ')));
  };
  return (
    <form onSubmit={save}>
      <label htmlFor="job-tags">Tags (comma-separated)</label>
      <div className="actions">
        <input id="job-tags" value={text} onChange={(event) => setText(event.target.value)} />
        <button type="submit" className="secondary" disabled={busy}>
          Save tags
        </button>
      </div>
      <ErrorNotice error={error} />
    </form>
  );
}

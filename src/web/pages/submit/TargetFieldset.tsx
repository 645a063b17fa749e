import type { ArchInfo, ImageTypeInfo, QueueState } from '../../../client/api-client.ts';
import { type JobBlocker, queueBlocker } from '../../../contract/workers.ts';
import type { SubmitDraft } from './draft.ts';

/** A queue's mark in the list, by why its jobs would wait: one for every reason the contract knows. */
const BLOCKER_MARK: Record<JobBlocker['reason'], string> = {
  'no-worker': 'no worker',
  'builds-off': 'builds off',
};

interface TargetFieldsetProps {
  draft: SubmitDraft;
  imageTypes: readonly ImageTypeInfo[];
  arches: readonly ArchInfo[];
  queues: readonly QueueState[];
  update: (changes: Partial<SubmitDraft>) => void;
}

/** What to build and where: image type and architecture (the server's lists), queue and name. */
export function TargetFieldset({ draft, imageTypes, arches, queues, update }: TargetFieldsetProps) {
  const chosen = queues.find((queue) => queue.name === draft.queue);
  const chosenBlocker = chosen ? queueBlocker(chosen) : null;
  return (
    <fieldset>
      <legend>Image</legend>
      <div className="grid2">
        <div>
          <label htmlFor="image-type">Image type</label>
          <select
            id="image-type"
            value={draft.type}
            onChange={(event) => update({ type: event.target.value })}
          >
            {imageTypes.map((type) => (
              <option key={type.name} value={type.name}>
                {type.name}
                {type.live ? ' (live)' : type.bootable ? ' (bootable)' : ''}
              </option>
            ))}
          </select>
        </div>
        <div>
          <label htmlFor="arch">Architecture</label>
          <select id="arch" value={draft.arch} onChange={(event) => update({ arch: event.target.value })}>
            {arches.map((arch) => (
              <option key={arch.name} value={arch.name}>
                {arch.name}
                {arch.emulated ? ' (emulated, slower)' : ''}
              </option>
            ))}
          </select>
        </div>
        <div>
          <label htmlFor="queue">Queue</label>
          <select
            id="queue"
            value={draft.queue}
            aria-describedby={chosenBlocker ? 'queue-blocked' : undefined}
            onChange={(event) => update({ queue: event.target.value })}
          >
            {queues.map((queue) => {
              const blocker = queueBlocker(queue);
              return (
                <option key={queue.name} value={queue.name} data-blocked={blocker?.reason}>
                  {queue.name}
                  {queue.description ? ` (${queue.description})` : ''}
                  {blocker ? ` — ${BLOCKER_MARK[blocker.reason]}` : ''}
                </option>
              );
            })}
          </select>
          {chosenBlocker && (
            <p id="queue-blocked" className="hint warning-text">
              Jobs would wait: {chosenBlocker.message}.
            </p>
          )}
        </div>
        <div>
          <label htmlFor="image-name">Name</label>
          <input
            id="image-name"
            value={draft.name}
            pattern="[A-Za-z0-9][A-Za-z0-9._\-]{0,99}"
            title="letters, digits, dots, dashes or underscores, starting with a letter or digit"
            placeholder="from the template or file name"
            onChange={(event) => update({ name: event.target.value })}
          />
        </div>
      </div>
    </fieldset>
  );
}

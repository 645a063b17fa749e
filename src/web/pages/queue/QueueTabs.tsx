import { Link } from '../../app/router.tsx';
import { queuePath } from '../../app/routes.ts';

interface QueueTabsProps {
  queues: readonly string[];
  current: { queue: string | undefined; mine: boolean };
}

/** All jobs or mine, in every queue or in one: the original's sidebar links, as tabs. */
export function QueueTabs({ queues, current }: QueueTabsProps) {
  const tab = (queue: string | undefined, mine: boolean, label: string) => (
    <Link
      key={`${queue}/${mine}`}
      to={queuePath({ queue, mine })}
      aria-current={current.queue === queue && current.mine === mine ? 'page' : undefined}
    >
      {label}
    </Link>
  );
  return (
    <>
      <nav className="tabs" aria-label="Whose jobs">
        {tab(current.queue, false, 'All')}
        {tab(current.queue, true, 'Mine')}
      </nav>
      <nav className="tabs" aria-label="Queues">
        {tab(undefined, current.mine, 'Every queue')}
        {queues.map((queue) => tab(queue, current.mine, queue))}
      </nav>
    </>
  );
}

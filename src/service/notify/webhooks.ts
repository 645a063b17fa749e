import { createHmac, randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { NO_STANDING, presentJob } from '../api/present.ts';
import type { Config } from '../config/index.ts';
import type { Job, JobEventName, JobEvents } from '../jobs/index.ts';

/** The events that are status changes: a job entering IN QUEUE (also when requeued), BUILDING, or its end. */
const STATUS_EVENTS = [
  'job:queued',
  'job:started',
  'job:finished',
] as const satisfies readonly JobEventName[];

export const SIGNATURE_HEADER = 'x-img-signature';

export interface WebhookOptions {
  /** The pause before the second try; it doubles for each further one. */
  firstRetryMs?: number;
  /** A call that has not answered by then counts as failed. */
  timeoutMs?: number;
}

export interface Webhooks {
  /** Stops listening and drops pending retries; calls in progress finish. */
  stop(): Promise<void>;
}

/** `sha256=HEX`: the HMAC-SHA256 of the exact body, so the receiver checks it before parsing. */
function signature(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/**
 * A JSON POST of the job (as the API shows it) to every configured URL, and to the job's own `webhook:URL` tags
 * when `[notify] job_webhooks` allows, on every status change. Calls about one job to one URL go in order; a
 * failing URL is retried with doubling pauses up to `[notify] webhook_attempts` tries, then given up.
 */
export function startWebhooks(
  config: Config,
  events: JobEvents,
  onError: (error: unknown, context: string) => void,
  options: WebhookOptions = {},
): Webhooks | null {
  const settings = config.notify;
  const configured = settings.webhooks.split(/[\s,]+/).filter((url) => url !== '');
  if (configured.length === 0 && !settings.job_webhooks) return null;
  const firstRetryMs = options.firstRetryMs ?? 1000;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const stopped = new AbortController();
  /** One chain per job and URL, so a receiver sees a job's changes in the order they happened. */
  const chains = new Map<string, Promise<void>>();

  const urlsOf = (job: Job) => [
    ...configured,
    ...(settings.job_webhooks
      ? job.tags.filter((tag) => tag.startsWith('webhook:')).map((tag) => tag.slice('webhook:'.length))
      : []),
  ];

  async function deliver(url: string, event: string, body: string): Promise<void> {
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'x-img-event': event,
      'x-img-delivery': randomUUID(),
    };
    if (settings.webhook_secret !== '') headers[SIGNATURE_HEADER] = signature(settings.webhook_secret, body);
    for (let attempt = 1; ; attempt++) {
      try {
        const response = await fetch(url, {
          method: 'POST',
          headers,
          body,
          signal: AbortSignal.any([stopped.signal, AbortSignal.timeout(timeoutMs)]),
        });
        await response.body?.cancel();
        if (response.ok) return;
        throw new Error(`answered ${response.status} ${response.statusText}`);
      } catch (error) {
        if (stopped.signal.aborted) return;
        if (attempt >= settings.webhook_attempts) {
          onError(error, `webhook ${url} (${event}) failed ${attempt} times; given up`);
          return;
        }
        await sleep(firstRetryMs * 2 ** (attempt - 1), undefined, { signal: stopped.signal }).catch(() => {});
      }
    }
  }

  const unsubscribes = STATUS_EVENTS.map((event) =>
    events.on(event, ({ job }) => {
      const body = JSON.stringify({ event, job: presentJob(job, NO_STANDING) });
      for (const url of urlsOf(job)) {
        const key = `${job.id} ${url}`;
        const next = (chains.get(key) ?? Promise.resolve()).then(() => deliver(url, event, body));
        chains.set(key, next);
        void next.finally(() => chains.get(key) === next && chains.delete(key));
      }
    }),
  );

  return {
    async stop() {
      for (const unsubscribe of unsubscribes) unsubscribe();
      stopped.abort();
      await Promise.all(chains.values());
    },
  };
}

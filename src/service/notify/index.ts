/**
 * Notifications: mails when a job ends and webhooks on every status change. Both only listen to the jobs
 * module's events, in whichever process made the change (the server, or a worker process); a notification
 * that fails is logged and never touches the job.
 */
import type { Config } from '../config/index.ts';
import type { ArtifactStore, JobEvents } from '../jobs/index.ts';
import type { SiteSettings } from '../site/index.ts';
import { startMailer } from './mail.ts';
import { startWebhooks, type WebhookOptions } from './webhooks.ts';

export { SIGNATURE_HEADER } from './webhooks.ts';

export interface Notifications {
  stop(): Promise<void>;
}

export function startNotifications(
  config: Config,
  events: JobEvents,
  /** Where a failed job's log is read for its mail. */
  files: ArtifactStore,
  onError: (error: unknown, context: string) => void,
  options: WebhookOptions & { site?: SiteSettings } = {},
): Notifications {
  const { site, ...webhookOptions } = options;
  const parts = [
    startMailer(config, events, files, onError, site),
    startWebhooks(config, events, onError, webhookOptions),
  ];
  return {
    async stop() {
      await Promise.all(parts.map((part) => part?.stop()));
    },
  };
}

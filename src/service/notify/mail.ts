import nodemailer from 'nodemailer';
import { failureLines } from '../../contract/failure-text.ts';
import { NO_STANDING, presentJob } from '../api/present.ts';
import type { Config } from '../config/index.ts';
import { emailProblem } from '../fields.ts';
import { type ArtifactStore, type Job, type JobEvents, logFileName } from '../jobs/index.ts';
import { configuredSite, type Site, type SiteSettings } from '../site/index.ts';
import { lastLines } from './log-tail.ts';

export interface Mailer {
  /** Resolves once the mails already started are sent (or failed). */
  stop(): Promise<void>;
}

/** A mail to the job's address when it ends DONE or ERROR; nothing when `[notify] smtp_server` is empty. */
export function startMailer(
  config: Config,
  events: JobEvents,
  files: ArtifactStore,
  onError: (error: unknown, context: string) => void,
  /** The site's name and base URL as set in the pages; none: img.conf's (or the defaults). */
  site: SiteSettings = configuredSite(config),
): Mailer | null {
  const settings = config.notify;
  if (settings.smtp_server === '') return null;
  const [, host = settings.smtp_server, port = '25'] = /^(.*):(\d+)$/.exec(settings.smtp_server) ?? [];
  const transport = nodemailer.createTransport({
    host,
    port: Number(port),
    secure: settings.smtp_security === 'tls',
    requireTLS: settings.smtp_security === 'starttls',
    ignoreTLS: settings.smtp_security === 'none',
    ...(settings.smtp_user === '' ? {} : { auth: { user: settings.smtp_user, pass: settings.smtp_pwd } }),
  });
  const sending = new Set<Promise<void>>();

  const unsubscribe = events.on('job:finished', ({ job }) => {
    if (job.email === null || (job.status !== 'DONE' && job.status !== 'ERROR')) return;
    // Submissions are checked, but a job stored before the check existed may hold a list or a line break.
    const problem = emailProblem(job.email);
    if (problem) return onError(new Error(problem), `no mail about job ${job.id}`);
    const mail = site
      .read()
      .then((current) => composeMail(config, files, current, job))
      .then((message) => transport.sendMail({ from: settings.mail_from, to: job.email ?? '', ...message }))
      .then(
        () => {},
        (error: unknown) => onError(error, `mail about job ${job.id} to ${job.email} failed`),
      );
    sending.add(mail);
    void mail.finally(() => sending.delete(mail));
  });

  return {
    async stop() {
      unsubscribe();
      await Promise.all(sending);
      transport.close();
    },
  };
}

async function composeMail(
  config: Config,
  files: ArtifactStore,
  site: Site,
  job: Job,
): Promise<{ subject: string; text: string }> {
  const base = site.baseUrl;
  const { links } = presentJob(job, NO_STANDING);
  const url = (path: string) => new URL(path.replace(/^\//, ''), base).href;
  const lines = [
    `Job ${job.id} (${job.name}, ${job.type}/${job.arch}, queue ${job.queue}) is ${job.status}.`,
    '',
  ];
  if (job.status === 'DONE') lines.push(`Image: ${url(links.image)}`);
  lines.push(`Files: ${url(links.files)}`, `Log:   ${url(links.log)}`);
  if (job.status === 'ERROR') {
    lines.push(
      '',
      ...(job.error
        ? failureLines(job.error).map((line, i) => (i === 0 ? `Error: ${line}` : line))
        : ['Error: unknown']),
    );
    const tail = await lastLines(await files.open(job, logFileName(job)), config.notify.log_lines);
    if (tail.length > 0) lines.push('', `The last ${tail.length} lines of the log:`, '', ...tail);
  }
  return { subject: `[${site.name}] ${job.name} ${job.status}`, text: `${lines.join('\n')}\n` };
}

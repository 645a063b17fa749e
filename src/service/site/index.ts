/**
 * The site's name and public base URL: an admin sets them in the pages (stored in site_settings, so every web node
 * and worker reads the same), and each wins over img.conf's `[notify] base_url` (or the default) until cleared.
 */
import type { Kysely } from 'kysely';
import { DEFAULT_SITE_NAME } from '../../contract/site.ts';
import type { Config } from '../config/index.ts';
import type { Database } from '../db/schema.ts';
import { ServiceError } from '../errors.ts';
import { siteNameProblem, siteUrlProblem } from '../fields.ts';

export interface Site {
  name: string;
  /** Ends in `/`. */
  baseUrl: string;
  baseUrlFrom: 'pages' | 'img.conf' | 'listen';
  /** What an admin set in the pages; null: not set. */
  set: { name: string | null; baseUrl: string | null };
}

/** What to change: a value sets it, null clears it, absent leaves it. */
export interface SiteChanges {
  name?: string | null;
  baseUrl?: string | null;
}

export interface SiteSettings {
  read(): Promise<Site>;
  change(changes: SiteChanges): Promise<Site>;
}

const KEYS = { name: 'name', baseUrl: 'base_url' } as const;

/** img.conf's `[notify] base_url`, else the address the web server listens on. */
function configuredBaseUrl(config: Config): { url: string; from: 'img.conf' | 'listen' } {
  if (config.notify.base_url !== '') return { url: withSlash(config.notify.base_url), from: 'img.conf' };
  const { host, port } = config.web.listen;
  return { url: `http://${host.includes(':') ? `[${host}]` : host}:${port}/`, from: 'listen' };
}

function withSlash(url: string): string {
  return url.replace(/\/*$/, '/');
}

/** The site from what an admin set (null: not set) and img.conf. */
function siteOf(config: Config, set: Site['set']): Site {
  const configured = configuredBaseUrl(config);
  return {
    name: set.name ?? DEFAULT_SITE_NAME,
    baseUrl: set.baseUrl ?? configured.url,
    baseUrlFrom: set.baseUrl === null ? configured.from : 'pages',
    set,
  };
}

/** The site as img.conf alone says, for a process without the database's settings (tests of the mailer). */
export function configuredSite(config: Config): SiteSettings {
  return {
    read: async () => siteOf(config, { name: null, baseUrl: null }),
    change: async () => {
      throw new ServiceError('conflict', 'the site settings are kept in the database');
    },
  };
}

export function createSiteSettings(db: Kysely<Database>, config: Config): SiteSettings {
  const settings: SiteSettings = {
    async read() {
      const rows = await db.selectFrom('site_settings').selectAll().execute();
      const value = (key: string) => rows.find((row) => row.key === key)?.value ?? null;
      return siteOf(config, { name: value(KEYS.name), baseUrl: value(KEYS.baseUrl) });
    },

    async change(changes) {
      const problems: string[] = [];
      const nameProblem = changes.name == null ? null : siteNameProblem(changes.name);
      if (nameProblem) problems.push(`name: ${nameProblem}`);
      const urlProblem = changes.baseUrl == null ? null : siteUrlProblem(changes.baseUrl);
      if (urlProblem) problems.push(`base_url: ${urlProblem}`);
      if (problems.length > 0) throw new ServiceError('bad-request', problems.join('; '));
      await db.transaction().execute(async (trx) => {
        for (const [field, key] of Object.entries(KEYS) as [keyof SiteChanges, string][]) {
          const value = changes[field];
          if (value === undefined) continue;
          await trx.deleteFrom('site_settings').where('key', '=', key).execute();
          const stored = field === 'baseUrl' && value !== null ? withSlash(value) : value;
          if (stored !== null) await trx.insertInto('site_settings').values({ key, value: stored }).execute();
        }
      });
      return settings.read();
    },
  };
  return settings;
}

import type { ReactNode } from 'react';
import { Link } from '../../app/router.tsx';
import { CopyButton } from '../../components/CopyButton.tsx';
import { commandLines } from './command-lines.ts';
import { KICKSTART_SOURCES, type KickstartSource, type SubmitDraft } from './draft.ts';
import type { Catalog } from './SubmitPage.tsx';

/**
 * The help beside the form, as the original's Submit page had: what each choice means (the chosen one marked),
 * what the chosen template builds, and the command lines that would submit the same job.
 */
export function SubmitHelp({ draft, catalog }: { draft: SubmitDraft; catalog: Catalog }) {
  const template = catalog.templates.find((entry) => entry.name === draft.template);
  return (
    <aside className="submit-help" aria-labelledby="submit-help-title">
      <h2 id="submit-help-title">Help</h2>
      {draft.source === 'template' && template && (
        <HelpSection title={`What “${template.display_name}” builds`}>
          {template.description === '' ? (
            <p className="hint">The template says nothing of itself; open its text on the left.</p>
          ) : (
            template.description.split('\n\n').map((paragraph) => <p key={paragraph}>{paragraph}</p>)
          )}
          {(template.suggested_image_type || template.suggested_architecture) && (
            <p className="hint">
              Made for {template.suggested_image_type ?? 'any type'} on{' '}
              {template.suggested_architecture ?? 'any architecture'}; the form chose those for you.
            </p>
          )}
        </HelpSection>
      )}
      <CommandLineHelp draft={draft} />
      <HelpSection title="Kickstart">
        <Choices
          chosen={draft.source}
          entries={(Object.keys(KICKSTART_SOURCES) as KickstartSource[]).map((source) => ({
            name: source,
            term: KICKSTART_SOURCES[source].label,
            text: KICKSTART_SOURCES[source].help,
          }))}
        />
      </HelpSection>
      <HelpSection title="Image type">
        <Choices
          chosen={draft.type}
          entries={catalog.imageTypes.map((type) => ({
            name: type.name,
            term: type.name,
            text: type.description,
          }))}
        />
      </HelpSection>
      <HelpSection title="Architecture">
        <Choices
          chosen={draft.arch}
          entries={catalog.arches.map((arch) => ({
            name: arch.name,
            term: arch.name,
            text: arch.emulated
              ? `Debian's ${arch.debian}, built through qemu emulation: slower; fs and loop images only`
              : `Debian's ${arch.debian}, built natively`,
          }))}
        />
      </HelpSection>
      <HelpSection title="Queue, tokens and options">
        <dl className="help-list">
          <dt>Queue</dt>
          <dd>
            where the job waits its turn; workers serve some queues only, and the list says when none would.
          </dd>
          <dt>Name</dt>
          <dd>the image's file name; empty, it is the template's or the file's.</dd>
          <dt>Tokens</dt>
          <dd>
            values for the kickstart's <code>@TOKEN@</code> placeholders (mic's <code>--tokenmap</code>); one
            left empty stays as it is, unless the server fills it.
          </dd>
          <dt>Extra repositories and packages</dt>
          <dd>added to those of the kickstart, without editing it.</dd>
          <dt>Tags, notify e-mail, pin</dt>
          <dd>
            tags find the job again in the queue; the e-mail hears when the build ends; a pinned image is kept
            until it is unpinned instead of expiring.
          </dd>
          <dt>Fresh build</dt>
          <dd>
            a job identical to one already DONE (the same kickstart meaning, type, arch, name, tokens, extras
            and package sources) gets that job's files at once, and one identical to a running build waits for
            it; tick this to build again anyway.
          </dd>
        </dl>
      </HelpSection>
      <HelpSection title="The REST API">
        <p>
          The form is a client of the API like any script: <a href="/api/docs">the API documentation</a> lists
          every call and tries them out.
        </p>
      </HelpSection>
    </aside>
  );
}

/** A part of the help, open at first; folded away, it leaves the others in view. */
function HelpSection({ title, children }: { title: string; children: ReactNode }) {
  return (
    <details open className="help-section">
      <summary>
        <h3>{title}</h3>
      </summary>
      {children}
    </details>
  );
}

function Choices({
  chosen,
  entries,
}: {
  chosen: string;
  entries: readonly { name: string; term: string; text: string }[];
}) {
  return (
    <dl className="help-list">
      {entries.map((entry) => (
        <div key={entry.name} className={entry.name === chosen ? 'chosen' : undefined}>
          <dt>
            {entry.term}
            {entry.name === chosen && <span className="visually-hidden"> (chosen)</span>}
          </dt>
          <dd>{entry.text}</dd>
        </div>
      ))}
    </dl>
  );
}

function CommandLineHelp({ draft }: { draft: SubmitDraft }) {
  const lines = commandLines(draft, `${location.origin}/`);
  return (
    <HelpSection title="The same from a command line">
      <p className="hint">
        Both need an API token in <code>IMG_TOKEN</code> (made under{' '}
        <Link to="admin/tokens">My API tokens</Link>, or by <code>imger login</code>)
        {lines.kickstartFile && (
          <>
            , and the kickstart text saved as <code>{lines.kickstartFile}</code> for imger
          </>
        )}
        .
      </p>
      <CommandLine id="command-imger" label="imger" line={lines.imger} />
      <CommandLine id="command-curl" label="curl" line={lines.curl} />
    </HelpSection>
  );
}

function CommandLine({ id, label, line }: { id: string; label: string; line: string }) {
  return (
    <div className="command-line">
      <div className="actions">
        <span>{label}</span>
        <CopyButton text={line} label={`Copy the ${label} command`} />
      </div>
      <pre id={id} className="text">
        {line}
      </pre>
    </div>
  );
}

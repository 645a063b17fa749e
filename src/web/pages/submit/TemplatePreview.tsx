import { useState } from 'react';
import { api } from '../../app/api.ts';
import { useResource } from '../../app/use-resource.ts';
import { ErrorNotice } from '../../components/ErrorNotice.tsx';

/** The template's text, fetched only when the user opens it. */
export function TemplatePreview({ name }: { name: string }) {
  const [open, setOpen] = useState(false);
  return (
    <details onToggle={(event) => setOpen(event.currentTarget.open)}>
      <summary>The template's text</summary>
      {open && <TemplateText name={name} />}
    </details>
  );
}

function TemplateText({ name }: { name: string }) {
  const template = useResource(() => api.template(name), name);
  if (template.error) return <ErrorNotice error={template.error} />;
  if (!template.data) return <p>Loading…</p>;
  return <pre className="text template-text">{template.data.text}</pre>;
}

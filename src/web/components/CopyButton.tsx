import { useState } from 'react';

/**
 * Copies a text to the clipboard and says so. The Clipboard API exists only in secure contexts (HTTPS or
 * localhost), and IMG is often reached over plain HTTP inside a network, so the old copy command stands in there.
 */
export function CopyButton({ text, label = 'Copy' }: { text: string; label?: string }) {
  const [state, setState] = useState<'idle' | 'copied' | 'failed'>('idle');
  const copy = async () => {
    try {
      if (navigator.clipboard) await navigator.clipboard.writeText(text);
      else if (!copyBySelection(text)) throw new Error('no clipboard');
      setState('copied');
    } catch {
      setState('failed');
    }
  };
  return (
    <>
      <button type="button" className="secondary" onClick={copy}>
        {label}
      </button>
      <span role="status" className="hint">
        {state === 'copied'
          ? ' Copied.'
          : state === 'failed'
            ? ' Could not copy: select the text and copy it.'
            : ''}
      </span>
    </>
  );
}

function copyBySelection(text: string): boolean {
  const area = document.createElement('textarea');
  area.value = text;
  area.setAttribute('readonly', '');
  area.style.position = 'fixed';
  area.style.opacity = '0';
  document.body.append(area);
  area.select();
  try {
    return document.execCommand('copy');
  } finally {
    area.remove();
  }
}

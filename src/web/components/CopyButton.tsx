import { useState } from 'react';

/**
 * Copies `text` to the clipboard and says so. The Clipboard API exists only on https and localhost, and IMG is often
 * served over plain http on a closed network, so without it the text is copied through a selected, hidden textarea;
 * when neither works, the user is told to copy it by hand.
 */
export function CopyButton({ text, label }: { text: string; label: string }) {
  const [state, setState] = useState<'idle' | 'copied' | 'failed'>('idle');
  const copy = async () => {
    try {
      if (navigator.clipboard && window.isSecureContext) await navigator.clipboard.writeText(text);
      else if (!copyBySelection(text)) throw new Error('no clipboard');
      setState('copied');
      setTimeout(() => setState('idle'), 2000);
    } catch {
      setState('failed');
    }
  };
  return (
    <>
      <button type="button" className="secondary copy" aria-label={label} onClick={() => void copy()}>
        {state === 'copied' ? 'Copied' : 'Copy'}
      </button>
      {state === 'failed' && (
        <span role="status" className="hint">
          {' '}
          Could not copy: select the text and copy it.
        </span>
      )}
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
  const copied = document.execCommand('copy');
  area.remove();
  return copied;
}

import { type ReactNode, useState } from 'react';

interface ConfirmButtonProps {
  children: ReactNode;
  /**
   * The question shown once the button was pressed, e.g. "Delete 3 jobs and their files?"; or a call that finds
   * it out then (a count), answering null when there is nothing to ask.
   */
  question: string | (() => Promise<string | null>);
  onConfirm: () => void;
  disabled?: boolean;
}

/** A destructive action asks inline, not with a browser dialog, so it reads well and works by keyboard. */
export function ConfirmButton({ children, question, onConfirm, disabled }: ConfirmButtonProps) {
  const [asking, setAsking] = useState<string | null>(null);
  const ask = async () => setAsking(typeof question === 'string' ? question : await question());
  if (asking === null) {
    return (
      <button type="button" className="danger" disabled={disabled} onClick={ask}>
        {children}
      </button>
    );
  }
  return (
    // biome-ignore lint/a11y/useSemanticElements: a group of two buttons, not a form fieldset
    <span className="actions" role="group" aria-label={asking}>
      <span>{asking}</span>
      <button
        type="button"
        className="danger"
        // biome-ignore lint/a11y/noAutofocus: the question replaced the button that had the focus
        autoFocus
        onClick={() => {
          setAsking(null);
          onConfirm();
        }}
      >
        Yes, {typeof children === 'string' ? children.toLowerCase() : 'go on'}
      </button>
      <button type="button" className="secondary" onClick={() => setAsking(null)}>
        No
      </button>
    </span>
  );
}

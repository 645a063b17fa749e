import { type ReactNode, useState } from 'react';

interface ConfirmButtonProps {
  children: ReactNode;
  /** The question shown once the button was pressed, e.g. "Delete 3 jobs and their files?". */
  question: string;
  onConfirm: () => void;
  disabled?: boolean;
}

/** A destructive action asks inline, not with a browser dialog, so it reads well and works by keyboard. */
export function ConfirmButton({ children, question, onConfirm, disabled }: ConfirmButtonProps) {
  const [asking, setAsking] = useState(false);
  if (!asking) {
    return (
      <button type="button" className="danger" disabled={disabled} onClick={() => setAsking(true)}>
        {children}
      </button>
    );
  }
  return (
    // biome-ignore lint/a11y/useSemanticElements: a group of two buttons, not a form fieldset
    <span className="actions" role="group" aria-label={question}>
      <span>{question}</span>
      <button
        type="button"
        className="danger"
        // biome-ignore lint/a11y/noAutofocus: the question replaced the button that had the focus
        autoFocus
        onClick={() => {
          setAsking(false);
          onConfirm();
        }}
      >
        Yes, {typeof children === 'string' ? children.toLowerCase() : 'go on'}
      </button>
      <button type="button" className="secondary" onClick={() => setAsking(false)}>
        No
      </button>
    </span>
  );
}

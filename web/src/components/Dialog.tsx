import { useEffect, useId, useRef, type ReactNode } from 'react';

interface DialogProps {
  title: string;
  onClose: () => void;
  children: ReactNode;
  /** Optional line under the title. */
  subtitle?: ReactNode;
}

/**
 * A modal built on the native <dialog>: showModal() makes the rest of the page inert (a real focus trap) and
 * Escape closes it. Mount it to open it; unmounting closes it and gives focus back to what opened it.
 */
export function Dialog({ title, subtitle, onClose, children }: DialogProps) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const onCloseRef = useRef(onClose);
  onCloseRef.current = onClose;

  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    if (!dialog.open) {
      if (typeof dialog.showModal === 'function') dialog.showModal();
      else dialog.setAttribute('open', '');
    }
    const first =
      dialog.querySelector<HTMLElement>('[data-autofocus]') ??
      dialog.querySelector<HTMLElement>('input, select, textarea') ??
      dialog.querySelector<HTMLElement>('button');
    first?.focus();
    return () => {
      if (dialog.open && typeof dialog.close === 'function') dialog.close();
      // Give focus back to the control that opened the dialog, or to the main heading if it is gone.
      requestAnimationFrame(() => {
        // Unless focus has already moved into another open dialog (one dialog replacing another).
        if (document.activeElement?.closest('dialog[open]')) return;
        if (opener && opener.isConnected) opener.focus();
        else document.querySelector<HTMLElement>('main h1')?.focus();
      });
    };
  }, []);

  return (
    <dialog
      ref={ref}
      className="dialog"
      aria-labelledby={titleId}
      onCancel={(e) => {
        e.preventDefault();
        onCloseRef.current();
      }}
      onKeyDown={(e) => {
        // Handle Escape ourselves too: some engines (and jsdom) never fire "cancel".
        if (e.key === 'Escape') {
          e.preventDefault();
          onCloseRef.current();
        }
      }}
    >
      <div className="dialog-head">
        <div>
          <h2 id={titleId}>{title}</h2>
          {subtitle ? <p className="dialog-sub">{subtitle}</p> : null}
        </div>
        <button type="button" className="icon-button" aria-label="Close" onClick={() => onCloseRef.current()}>
          <span aria-hidden="true">×</span>
        </button>
      </div>
      {children}
    </dialog>
  );
}

/** A field with its label, hint and error wired up for assistive technology. */
export function Field({
  label,
  error,
  hint,
  children,
  id,
}: {
  label: string;
  id: string;
  error?: string | undefined;
  hint?: string;
  children: ReactNode;
}) {
  return (
    <div className={error ? 'field has-error' : 'field'}>
      <label htmlFor={id}>{label}</label>
      {children}
      {hint ? (
        <p className="hint" id={`${id}-hint`}>
          {hint}
        </p>
      ) : null}
      {error ? (
        <p className="field-error" id={`${id}-error`}>
          {error}
        </p>
      ) : null}
    </div>
  );
}

export function describedBy(id: string, error?: string, hint?: string): string | undefined {
  const ids = [hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ');
  return ids || undefined;
}

/** A form's own buttons: submit (showing `busyLabel` while busy) and Cancel. */
export function FormButtons({
  label,
  busyLabel,
  busy,
  onCancel,
  danger = false,
}: {
  label: string;
  busyLabel: string;
  busy: boolean;
  onCancel: () => void;
  danger?: boolean;
}) {
  return (
    <div className="actions">
      <button type="submit" className={danger ? 'button danger' : 'button primary'} disabled={busy}>
        {busy ? busyLabel : label}
      </button>
      <button type="button" className="button" onClick={onCancel}>
        Cancel
      </button>
    </div>
  );
}

/** What went wrong with the whole form, read out as it appears; nothing when there is no message. */
export function FormError({ message }: { message: string | null | undefined }) {
  return message ? (
    <p className="inline-error" role="alert">
      {message}
    </p>
  ) : null;
}

import { useEffect, useRef, useState } from 'preact/hooks';

/** An operator action waiting for confirmation. */
export interface PendingAction {
  action: 'reset' | 'disable' | 'enable';
  server: string;
}

const WHAT: Record<PendingAction['action'], string> = {
  reset: 'clears its recovery attempts and the wait for an operator, and starts it again',
  disable: 'takes it out of service: nothing recovers it until it is enabled',
  enable: 'puts it back in service and starts it',
};

/** Options of {@link ActionDialog}. */
export interface ActionDialogProps {
  pending: PendingAction | null;
  onConfirm(pending: PendingAction, operator: string): void;
  onCancel(): void;
}

/** A modal that names the action, the server and the operator before anything is sent. */
export function ActionDialog({ pending, onConfirm, onCancel }: ActionDialogProps) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [operator, setOperator] = useState(() => localStorage.getItem('selfheal.operator') ?? '');
  useEffect(() => {
    const d = dialog.current;
    if (!d) return;
    if (pending && !d.open) d.showModal();
    if (!pending && d.open) d.close();
  }, [pending]);
  const submit = (e: Event) => {
    e.preventDefault();
    if (!pending) return;
    const name = operator.trim();
    localStorage.setItem('selfheal.operator', name);
    onConfirm(pending, name);
  };
  return (
    <dialog ref={dialog} id="action-dialog" aria-labelledby="action-title" onCancel={onCancel}>
      {pending ? (
        <form onSubmit={submit}>
          <h2 id="action-title">
            {pending.action} {pending.server}?
          </h2>
          <p>This {WHAT[pending.action]}. The event names you as the operator.</p>
          <label>
            your name{' '}
            <input
              id="action-operator"
              value={operator}
              required
              autoComplete="name"
              onInput={(e) => setOperator(e.currentTarget.value)}
            />
          </label>
          <div class="controls">
            <button type="submit" id="action-confirm">
              Confirm {pending.action}
            </button>
            <button type="button" onClick={onCancel}>
              Cancel
            </button>
          </div>
        </form>
      ) : null}
    </dialog>
  );
}

import { useCallback, useState } from 'preact/hooks';
import type { PendingAction } from './actionDialog.js';

/** An operator action's path: asked on a card, confirmed in the dialog, then sent. */
export interface OperatorActions {
  /** The action waiting for confirmation, if any. */
  pending: PendingAction | null;
  /** What became of the last action sent. */
  notice: string;
  /** Opens the dialog for `action` on `server` (the same function on every render). */
  ask(action: PendingAction['action'], server: string): void;
  /** Sends the confirmed action (`POST dashboard/api/action`) and tells how it went. */
  confirm(pending: PendingAction, operator: string): Promise<void>;
  cancel(): void;
}

/** The state of the page's operator actions. */
export function useOperatorActions(): OperatorActions {
  const [pending, setPending] = useState<PendingAction | null>(null);
  const [notice, setNotice] = useState('');
  const ask = useCallback(
    (action: PendingAction['action'], server: string) => setPending({ action, server }),
    [],
  );
  const confirm = async (p: PendingAction, operator: string) => {
    setPending(null);
    setNotice(`${p.action} ${p.server}: sending...`);
    try {
      const res = await fetch('dashboard/api/action', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ action: p.action, server: p.server, operator }),
      });
      const reply = (await res.json()) as { ok: boolean; error?: string };
      setNotice(
        reply.ok ? `${p.action} ${p.server}: done` : `${p.action} ${p.server}: ${reply.error}`,
      );
    } catch (error) {
      setNotice(`${p.action} ${p.server}: ${(error as Error).message}`);
    }
  };
  return { pending, notice, ask, confirm, cancel: () => setPending(null) };
}

import type { HealthStatus } from '@selfheal/health-endpoint';

/** The switch behind the example's `backend` component check. */
export interface HealthSwitch {
  get(): { status: HealthStatus; reason?: string };
  /** Sets what the `backend` check reports from the next `/health` request on. */
  set(status: HealthStatus, reason?: string): void;
}

/** Creates a {@link HealthSwitch} starting at `initial`. */
export function createHealthSwitch(initial: HealthStatus = 'ok'): HealthSwitch {
  let current: { status: HealthStatus; reason?: string } = { status: initial };
  return {
    get: () => current,
    set: (status, reason) => {
      current = reason === undefined || status === 'ok' ? { status } : { status, reason };
    },
  };
}

import type { ServerHealth } from '@selfheal/events/fold';
import type { EcosystemHealth } from '@selfheal/schemas';
import { useMemo } from 'preact/hooks';
import { memo } from './memo.js';
import { type CallBucket, splitStderr } from './model.js';
import { Sparkline, type SparklineProps } from './sparkline.js';

/** The roll-up over every server, on top of the page. */
export function EcosystemBar({ ecosystem }: { ecosystem: EcosystemHealth }) {
  const s = ecosystem.servers;
  return (
    <section class="ecosystem" aria-label="Ecosystem">
      <span class="badge" data-status={ecosystem.status} id="ecosystem-status">
        {ecosystem.status}
      </span>
      <span>
        {s.total} servers: {s.healthy} healthy, {s.degraded} degraded, {s.down} down
        {s.unknown ? `, ${s.unknown} unknown` : ''}
      </span>
    </section>
  );
}

/** Options of {@link ServerCard}. */
export interface ServerCardProps {
  server: ServerHealth;
  breaker: string;
  calls: CallBucket[] | undefined;
  /** The operator buttons, or undefined where actions do not apply (replay, time travel). */
  onAction?: ((action: 'reset' | 'disable' | 'enable', server: string) => void) | undefined;
}

/**
 * The figure of the last whole bucket: the newest one is still filling (a rate over a part of
 * it reads low, and 0 just after it starts).
 */
const lastComplete = (series: CallBucket[] | undefined, pick: (b: CallBucket) => number) => {
  const bucket = series?.at(-2);
  return bucket ? pick(bucket) : null;
};
const last = (series: CallBucket[] | undefined, pick: (b: CallBucket) => number | null) => {
  if (!series) return null;
  for (let i = series.length - 1; i >= 0; i--) {
    const v = pick(series[i]!);
    if (v !== null) return v;
  }
  return null;
};

/**
 * One server: status, lifecycle, breaker, attempts, last error and call sparklines. Rendered
 * again only when one of its props changed: a live batch touches a few of the cards.
 */
export const ServerCard = memo(function ServerCard({
  server,
  breaker,
  calls,
  onAction,
}: ServerCardProps) {
  const { message, stderr } = splitStderr(server.error);
  // New arrays only when the series changes: each new one is a redraw of its chart.
  const data = useMemo(() => {
    const x = calls?.map((b) => b.t) ?? [];
    const pick = (f: (b: CallBucket) => number | null) => calls?.map(f) ?? [];
    return {
      rate: [x, pick((b) => b.callsPerSecond)] as SparklineProps['data'],
      errors: [x, pick((b) => b.errorPercent)] as SparklineProps['data'],
      latency: [x, pick((b) => b.p50), pick((b) => b.p99)] as SparklineProps['data'],
    };
  }, [calls]);
  const fmt = (v: number | null, unit: string, digits = 1) =>
    v === null ? '-' : `${v.toFixed(digits)}${unit}`;
  return (
    <article
      class="card"
      data-server={server.server_name}
      data-status={server.status}
      data-lifecycle={server.lifecycle}
      data-calls={Math.round(calls?.reduce((n, b) => n + b.calls, 0) ?? 0)}
      aria-labelledby={`srv-${server.server_name}`}
    >
      <header>
        <h3 id={`srv-${server.server_name}`}>{server.server_name}</h3>
        <span class="badge status" data-status={server.status}>
          {server.status}
        </span>
      </header>
      <dl>
        <dt>lifecycle</dt>
        <dd class="lifecycle">
          {server.lifecycle}
          {server.requires_manual ? ' (waits for an operator)' : ''}
        </dd>
        <dt>breaker</dt>
        <dd class="breaker">{breaker}</dd>
        <dt>recovery attempts</dt>
        <dd class="attempts">{server.recovery_attempts}</dd>
        {server.status_since ? (
          <>
            <dt>since</dt>
            <dd>{server.status_since}</dd>
          </>
        ) : null}
      </dl>
      {message ? (
        <div class="error">
          <strong>last error</strong> <span class="error-text">{message}</span>
          {stderr.length > 0 ? (
            <>
              <span class="note">stderr, last lines:</span>
              <pre class="stderr">{stderr.join('\n')}</pre>
            </>
          ) : null}
        </div>
      ) : null}
      <div class="sparks">
        <Sparkline
          label="calls/s"
          value={fmt(
            lastComplete(calls, (b) => b.callsPerSecond),
            '',
          )}
          data={data.rate}
          colors={['#1d4ed8']}
        />
        <Sparkline
          label="errors"
          value={fmt(
            last(calls, (b) => b.errorPercent),
            '%',
            0,
          )}
          data={data.errors}
          colors={['#b91c1c']}
        />
        <Sparkline
          label="p50/p99"
          value={`${fmt(
            last(calls, (b) => b.p50),
            '',
            0,
          )}/${fmt(
            last(calls, (b) => b.p99),
            'ms',
            0,
          )}`}
          data={data.latency}
          colors={['#047857', '#7c3aed']}
        />
      </div>
      {onAction ? (
        <div class="actions">
          <button type="button" onClick={() => onAction('reset', server.server_name)}>
            Reset
          </button>
          {server.lifecycle === 'disabled' ? (
            <button type="button" onClick={() => onAction('enable', server.server_name)}>
              Enable
            </button>
          ) : (
            <button type="button" onClick={() => onAction('disable', server.server_name)}>
              Disable
            </button>
          )}
        </div>
      ) : null}
    </article>
  );
});

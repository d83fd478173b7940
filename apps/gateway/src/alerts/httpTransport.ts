import type { SinkSpec } from './alertConfig.js';
import type { AlertTransport, DeliveryResult, Notice } from './notice.js';
import { pagerDutyBody, slackBody, webhookBody } from './payloads.js';
import { SIGNATURE_HEADER, signWebhook, TIMESTAMP_HEADER } from './signature.js';

/** Options of {@link createHttpTransport}. */
export interface HttpTransportOptions {
  /** Epoch ms, for the signed timestamp. */
  now: () => number;
  /** @default globalThis.fetch */
  fetch?: typeof fetch;
}

/**
 * A webhook, Slack or PagerDuty sink: one POST of JSON per attempt. A 2xx is delivered; 408,
 * 429, 5xx and network errors are tried again; other statuses are final.
 */
export function createHttpTransport(spec: SinkSpec, options: HttpTransportOptions): AlertTransport {
  const doFetch = options.fetch ?? globalThis.fetch;
  const url = spec.url!;
  return {
    async send(notice: Notice, signal: AbortSignal): Promise<DeliveryResult> {
      const body = JSON.stringify(bodyFor(spec, notice));
      const headers: Record<string, string> = {
        ...spec.headers,
        'content-type': 'application/json',
        'user-agent': 'selfheal-alerts/1',
      };
      if (spec.type === 'webhook') {
        headers['x-selfheal-action'] = notice.action;
        headers['x-selfheal-notice'] = notice.noticeId;
        if (spec.secret !== undefined) {
          const timestamp = String(Math.floor(options.now() / 1000));
          headers[TIMESTAMP_HEADER] = timestamp;
          headers[SIGNATURE_HEADER] = signWebhook(spec.secret, timestamp, body);
        }
      }
      let response: Response;
      try {
        response = await doFetch(url, { method: 'POST', headers, body, signal, redirect: 'error' });
      } catch (error) {
        const cause = (error as { cause?: { code?: string; message?: string } }).cause;
        const reason = signal.aborted
          ? `no answer within ${spec.timeoutMs} ms`
          : (cause?.code ?? cause?.message ?? (error as Error).message);
        return { ok: false, error: `POST ${redact(url)}: ${reason}` };
      }
      let text = '';
      try {
        text = (await response.text()).slice(0, 500);
      } catch {
        // The status decides; a body cut short does not.
      }
      if (response.ok) return { ok: true, status: response.status, body: text };
      const retriable =
        response.status === 408 || response.status === 429 || response.status >= 500;
      return {
        ok: false,
        status: response.status,
        permanent: !retriable,
        body: text,
        error: `POST ${redact(url)}: HTTP ${response.status}${text ? ` ${text.slice(0, 200)}` : ''}`,
      };
    },
  };
}

function bodyFor(spec: SinkSpec, notice: Notice): Record<string, unknown> {
  switch (spec.type) {
    case 'slack':
      return slackBody(notice);
    case 'pagerduty':
      return pagerDutyBody(notice, spec.routingKey ?? '', spec.source);
    default:
      return webhookBody(notice);
  }
}

/** A URL for messages: its path may be a secret (Slack's is), so only the origin is shown. */
function redact(url: string): string {
  try {
    return `${new URL(url).origin}/…`;
  } catch {
    return 'the sink URL';
  }
}

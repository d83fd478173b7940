import type { EventInput, KnownEventType, ServerTrust } from '@selfheal/events';
import { hashToolDefinition } from '@selfheal/resilience';
import { GatewayError, GatewayErrorCode, toolErrorResult } from '../errors.js';
import { createRepeatFilter } from '../observability/repeatFilter.js';
import type { RawItem } from '../upstream/catalog.js';
import { createOutputSchemaCheck, type OutputSchemaCheckOptions } from './outputSchemaCheck.js';
import type { TrustSettings } from './trustSettings.js';

/** What {@link createProtocolViolations} reads and where it writes. */
export interface ProtocolViolationsHost extends Pick<OutputSchemaCheckOptions, 'onUncompilable'> {
  clock: { now(): number };
  settings(server: string): Pick<TrustSettings, 'onViolation'>;
  /** The server's projected trust (its pins). */
  server(name: string): ServerTrust | undefined;
  publish<T extends KnownEventType>(type: T, fields: EventInput<T>): void;
}

/**
 * Protocol violations of upstream servers (RFC 0017): tool results that break their tool's
 * `outputSchema`, and messages that are not JSON-RPC. Each is published as a
 * `protocol_violation` event, which the trust guard takes as a signal (`protocol_violation` for
 * a broken result, the lighter `invalid_message` for a message that is not JSON-RPC), so
 * the log holds every violation that moved a score. Repeats of one kind (per server and tool)
 * within a minute are neither logged nor counted: a server that logs to stdout, or a tool that
 * always breaks its schema, is one violation a minute, not one per line or call.
 */
export interface ProtocolViolations {
  /**
   * Checks the result of a tools/call of `tool` (its upstream name) against the tool's
   * outputSchema: its pinned definition, else `listed` (the definition the link last listed,
   * where pinning is off). Returns undefined when it conforms; else the result the client gets
   * (`trust.on_violation`: the result as it is, or a tool error naming the server, the tool and
   * the first schema error), the violation logged.
   */
  checkResult(
    server: string,
    tool: string,
    listed: RawItem | undefined,
    result: Record<string, unknown>,
  ): Record<string, unknown> | undefined;
  /** `server` sent something that is not JSON-RPC; `error` says what. */
  invalidMessage(server: string, error: Error): void;
}

/** Creates the {@link ProtocolViolations} of one gateway. */
export function createProtocolViolations(host: ProtocolViolationsHost): ProtocolViolations {
  const schemas = createOutputSchemaCheck(
    host.onUncompilable ? { onUncompilable: host.onUncompilable } : {},
  );
  const repeats = createRepeatFilter({
    clock: host.clock,
    kindOf: (e) => JSON.stringify([e.server_name, e.kind, e.tool]),
  });
  /** Hashes of listed definitions (pinning off), computed once per listed object. */
  const listedHashes = new WeakMap<RawItem, string>();

  const report = (fields: EventInput<'protocol_violation'>) => {
    if (!repeats.repeats(fields)) host.publish('protocol_violation', fields);
  };

  /** The definition a result is checked against: the approved pin, else the listed one. */
  const definitionOf = (server: string, tool: string, listed: RawItem | undefined) => {
    const pin = host.server(server)?.tools[tool];
    if (pin?.hash !== undefined && pin.definition !== undefined)
      return { hash: pin.hash, definition: pin.definition };
    if (listed === undefined) return undefined;
    let hash = listedHashes.get(listed);
    if (hash === undefined) {
      hash = hashToolDefinition(listed);
      listedHashes.set(listed, hash);
    }
    return { hash, definition: listed };
  };

  return {
    checkResult(server, tool, listed, result) {
      const against = definitionOf(server, tool, listed);
      if (against === undefined) return undefined;
      const error = schemas.violation(against.hash, against.definition, result);
      if (error === undefined) return undefined;
      const action = host.settings(server).onViolation;
      report({
        server_name: server,
        kind: 'output_schema',
        tool,
        hash: against.hash,
        error,
        action,
      });
      if (action === 'pass') return result;
      return toolErrorResult(
        new GatewayError(
          GatewayErrorCode.OutputSchemaViolation,
          `server "${server}" answered tools/call "${tool}" with a result that breaks the tool's outputSchema: ${error}. The result was withheld (trust.on_violation: error); the server must be fixed to return what its tool declares.`,
          { data: { server, tool, hash: against.hash, error } },
        ),
      );
    },
    invalidMessage(server, error) {
      report({ server_name: server, kind: 'invalid_message', error: error.message });
    },
  };
}

import {
  type EventInput,
  isToolQuarantined,
  type KnownEventType,
  type ServerTrust,
  type ToolPinState,
} from '@selfheal/events';
import {
  canonicalJson,
  diffToolDefinitions,
  hashToolDefinition,
  toolDefinitionOf,
} from '@selfheal/resilience';
import type { SelfhealEvent, ToolDefinitionChanged } from '@selfheal/schemas';
import type { RawItem } from '../upstream/catalog.js';
import type { TrustSettings } from './trustSettings.js';

/** What {@link checkToolPins} needs: the projected pins, and where new pin events go. */
export interface PinHost {
  /** The server's projected trust now (pins included); undefined before its first event. */
  server(name: string): ServerTrust | undefined;
  /** Builds and publishes one event; the projection has applied it when this returns. */
  publish<T extends KnownEventType>(type: T, fields: EventInput<T>): SelfhealEvent;
}

/**
 * Checks the tools a server lists against their pins (RFC 0017) and publishes what is new:
 * `tool_pinned` for a tool seen for the first time (or back at its approved definition), and
 * `tool_definition_changed` with a readable diff for a definition that differs from its pin
 * (or a new one held for approval). A definition already pending publishes nothing again, so
 * listing the same change twice (two clients, a re-list) writes one event. Resolves to true
 * when a tool entered or left quarantine, so the caller tells clients their list changed.
 */
export function checkToolPins(
  host: PinHost,
  server: string,
  tools: readonly RawItem[],
  settings: Pick<TrustSettings, 'pinTools' | 'requireApproval'>,
): boolean {
  if (!settings.pinTools) return false;
  let changed = false;
  const before = host.server(server);
  // "New server": nothing of it was ever approved (held tools do not count).
  const approvedAny = Object.values(before?.tools ?? {}).some((p) => p.hash !== undefined);
  for (const tool of tools) {
    if (typeof tool.name !== 'string') continue;
    const name = tool.name;
    const pin: ToolPinState | undefined = host.server(server)?.tools[name];
    const hash = hashToolDefinition(tool);
    const definition = toolDefinitionOf(tool) as unknown as Record<string, unknown>;
    if (pin === undefined) {
      const hold = approvedAny
        ? settings.requireApproval.newTools
        : settings.requireApproval.newServers;
      if (!hold) {
        host.publish('tool_pinned', { server_name: server, tool: name, hash, definition });
        continue;
      }
      host.publish('tool_definition_changed', {
        server_name: server,
        tool: name,
        hash,
        definition,
        diff: [`+ /: ${canonicalJson(definition)}`],
        reason: approvedAny ? 'new_tool' : 'new_server',
      });
      changed = true;
      continue;
    }
    if (pin.pending?.hash === hash) continue;
    if (pin.hash === hash) {
      if (pin.pending === undefined) continue;
      // Back at the approved definition: the pending change is over without an approval.
      host.publish('tool_pinned', { server_name: server, tool: name, hash, definition });
      changed = true;
      continue;
    }
    const wasHeld = isToolQuarantined(pin);
    host.publish('tool_definition_changed', {
      server_name: server,
      tool: name,
      hash,
      ...(pin.hash === undefined ? {} : { previous_hash: pin.hash }),
      definition,
      diff:
        pin.definition === undefined
          ? [`+ /: ${canonicalJson(definition)}`]
          : diffToolDefinitions(pin.definition, definition),
      // A pending reason is one this function wrote before (folded from its event).
      reason:
        pin.hash === undefined
          ? ((pin.pending?.reason ?? 'new_tool') as ToolDefinitionChanged['reason'])
          : 'changed',
    });
    if (!wasHeld) changed = true;
  }
  return changed;
}

/**
 * Why a tool may not be listed or served now, or undefined when it may: its definition
 * changed since it was approved, or it waits for a first approval. The message names the
 * change and the operator's command.
 */
export function toolHeldReason(server: string, tool: string, pin: ToolPinState | undefined) {
  if (pin === undefined || !isToolQuarantined(pin)) return undefined;
  const pending = pin.pending;
  const approve = `\`selfheal approve ${server} ${tool}\``;
  if (pin.hash === undefined)
    return `tool "${tool}" of server "${server}" waits for an operator's approval (${pending?.reason === 'new_server' ? 'a new server' : 'a new tool'}); review its definition (the tool_definition_changed event), then run ${approve} on the gateway's host`;
  const diff = pending?.diff.slice(0, 3).join('; ') ?? '';
  return `tool "${tool}" of server "${server}" is quarantined: its definition changed since it was approved (${diff}${(pending?.diff.length ?? 0) > 3 ? '; ...' : ''}); review the change (the tool_definition_changed event), then run ${approve} on the gateway's host`;
}

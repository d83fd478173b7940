import { randomBytes } from 'node:crypto';
import {
  createRequestStateCodec,
  type McpRequestContext,
  McpServer,
} from '@modelcontextprotocol/server';
import type { ChangedList, FeatureContext } from './featureContext.js';
import { registerClientInputTools } from './features/clientInputTools.js';
import { registerContentTools } from './features/contentTools.js';
import { registerMultiRoundTools } from './features/multiRoundTools.js';
import { registerPrompts } from './features/prompts.js';
import { registerResources } from './features/resources.js';
import { registerStatelessTools } from './features/statelessTools.js';

/** Options of {@link createConformanceServerFactory}. */
export interface ConformanceServerOptions {
  /** Server name in `serverInfo`. @default 'selfheal-conformance' */
  name?: string;
  /** Server version in `serverInfo`. @default '0.0.0' */
  version?: string;
  /** Waits between notifications. @default a `setTimeout` promise */
  sleep?: (ms: number) => Promise<void>;
  /**
   * HMAC key (at least 32 bytes) sealing `requestState`; every process that may see a retry
   * needs the same key. @default 32 random bytes per factory
   */
  stateKey?: Uint8Array | string;
  /**
   * Announces a list change made by a trigger tool. @default the serving instance's own
   * `send*ListChanged()` (a 2025-11-25 session, or a stdio connection of either revision)
   */
  notifyChanged?: (list: ChangedList, server: McpServer) => void;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function announceOnConnection(list: ChangedList, server: McpServer): void {
  if (list === 'tools') server.sendToolListChanged();
  else server.sendPromptListChanged();
}

/**
 * Returns the factory of the "conformance everything" server: every tool, resource and prompt
 * the conformance suite's server scenarios check, for both 2025-11-25 (`era: 'legacy'`) and
 * 2026-07-28 (`era: 'modern'`). Each call builds a fresh `McpServer`; instances of one factory
 * share the `requestState` key, so a retry may reach another instance.
 */
export function createConformanceServerFactory(
  options: ConformanceServerOptions = {},
): (context: Pick<McpRequestContext, 'era'>) => McpServer {
  const context: FeatureContext = {
    sleep: options.sleep ?? defaultSleep,
    stateCodec: createRequestStateCodec({ key: options.stateKey ?? randomBytes(32) }),
    notifyChanged: options.notifyChanged ?? announceOnConnection,
  };
  return ({ era }) => {
    const server = new McpServer(
      { name: options.name ?? 'selfheal-conformance', version: options.version ?? '0.0.0' },
      {
        capabilities: {
          tools: { listChanged: true },
          prompts: { listChanged: true },
          resources: { listChanged: true },
          logging: {},
          completions: {},
        },
        requestState: { verify: context.stateCodec.verify },
      },
    );
    registerContentTools(server, context);
    registerClientInputTools(server);
    registerMultiRoundTools(server, context);
    registerStatelessTools(server, context);
    registerResources(server, era);
    registerPrompts(server);
    return server;
  };
}

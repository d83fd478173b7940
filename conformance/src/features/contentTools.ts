import type { McpServer } from '@modelcontextprotocol/server';
import type { FeatureContext } from '../featureContext.js';
import { PNG_BASE64, TEXT, URI, WAV_BASE64 } from '../fixtures.js';

/** Pause between the notifications of the logging and progress tools, as the scenarios ask. */
const STEP_MS = 50;

/**
 * Registers the tools that return fixed content (text, image, audio, embedded resource, mixed,
 * error) and the two that notify while they run (logging at info, progress 0/50/100 of 100).
 */
export function registerContentTools(server: McpServer, context: FeatureContext): void {
  const fixed = (name: string, description: string, result: () => object) =>
    server.registerTool(name, { description }, async () => result() as never);

  fixed('test_simple_text', 'Returns a simple text response', () => ({
    content: [{ type: 'text', text: TEXT.simple }],
  }));
  fixed('test_image_content', 'Returns a 1x1 PNG image', () => ({
    content: [{ type: 'image', data: PNG_BASE64, mimeType: 'image/png' }],
  }));
  fixed('test_audio_content', 'Returns a short WAV sample', () => ({
    content: [{ type: 'audio', data: WAV_BASE64, mimeType: 'audio/wav' }],
  }));
  fixed('test_embedded_resource', 'Returns an embedded text resource', () => ({
    content: [
      {
        type: 'resource',
        resource: { uri: URI.embedded, mimeType: 'text/plain', text: TEXT.embedded },
      },
    ],
  }));
  fixed('test_multiple_content_types', 'Returns text, an image and a resource', () => ({
    content: [
      { type: 'text', text: TEXT.mixedIntro },
      { type: 'image', data: PNG_BASE64, mimeType: 'image/png' },
      {
        type: 'resource',
        resource: { uri: URI.mixed, mimeType: 'application/json', text: TEXT.mixedJson },
      },
    ],
  }));
  fixed('test_error_handling', 'Always returns a tool error', () => ({
    isError: true,
    content: [{ type: 'text', text: TEXT.error }],
  }));

  server.registerTool(
    'test_tool_with_logging',
    { description: 'Sends three info log messages while it runs' },
    async (ctx) => {
      await ctx.mcpReq.log('info', 'Tool execution started');
      await context.sleep(STEP_MS);
      await ctx.mcpReq.log('info', 'Tool processing data');
      await context.sleep(STEP_MS);
      await ctx.mcpReq.log('info', 'Tool execution completed');
      return { content: [{ type: 'text', text: 'Logging tool completed' }] };
    },
  );

  server.registerTool(
    'test_tool_with_progress',
    { description: 'Reports progress 0, 50 and 100 of 100 when given a progress token' },
    async (ctx) => {
      const progressToken = ctx.mcpReq._meta?.progressToken;
      for (const progress of [0, 50, 100]) {
        if (progress > 0) await context.sleep(STEP_MS);
        if (progressToken !== undefined) {
          await ctx.mcpReq.notify({
            method: 'notifications/progress',
            params: { progressToken, progress, total: 100 },
          });
        }
      }
      return { content: [{ type: 'text', text: 'Progress tool completed' }] };
    },
  );
}

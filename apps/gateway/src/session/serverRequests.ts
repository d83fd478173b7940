/** The client capability each server-to-client request needs. */
const NEEDS: Record<string, string> = {
  'sampling/createMessage': 'sampling',
  'elicitation/create': 'elicitation',
  'roots/list': 'roots',
};

/**
 * The capability a server's request `method` needs that the client's `capabilities` do not
 * declare, if any: such a request is answered for the client with an error naming it, instead
 * of asking a client that cannot answer.
 */
export function missingCapability(
  method: string,
  capabilities: Record<string, unknown> | undefined,
): string | undefined {
  const needed = NEEDS[method];
  return needed !== undefined && !(needed in (capabilities ?? {})) ? needed : undefined;
}

import type { Implementation } from '@modelcontextprotocol/server';
import type { Router } from '../session/router.js';
import type { Envelope } from './envelope.js';
import type { InFlight, InFlightRequests } from './inFlight.js';
import { InputCall, type InputCalls, isOwnRequestState } from './inputRounds.js';
import type { StatelessIo, StatelessReply, StatelessRequest } from './statelessGateway.js';
import { problem, roundReply } from './statelessReplies.js';

/** What serving a call that may ask for input reads, made once per stateless gateway. */
export interface RoundTripContext {
  router: Router;
  inFlight: InFlightRequests;
  /** The calls parked between rounds, by `requestState`. */
  inputs: InputCalls;
  /** The in-flight entry of each call that may ask for input, across its rounds. */
  rounds: WeakMap<InputCall, InFlight>;
  serverInfo: Implementation;
}

/**
 * A call that may ask for input (a Multi Round-Trip Request, RFC 0013): the first round, or a
 * retry whose `requestState` names a parked call and whose `inputResponses` answer it. Resolves
 * to the call's result, or to an `input_required` round (the call parked until the retry).
 */
export async function serveInputRoundTrip(
  context: RoundTripContext,
  request: StatelessRequest,
  envelope: Envelope,
  io: StatelessIo,
): Promise<StatelessReply> {
  let call: InputCall | undefined;
  const what = `${request.method} ${String(request.params?.name ?? request.params?.uri)}`;
  if (isOwnRequestState(request.params?.requestState)) {
    call = context.inputs.take(request.params.requestState);
    if (call !== undefined && call.what !== what) {
      call.abort('a retry named another request');
      call = undefined;
    }
    if (call === undefined)
      return problem(
        400,
        -32602,
        'Invalid params: requestState is unknown or expired (each is answered once, within its time to live); send the request again without it',
      );
    // This round's stream and envelope (log level, capabilities) serve from now on.
    const entry = context.rounds.get(call);
    if (entry) Object.assign(entry, { io, envelope });
    call.answer((request.params.inputResponses ?? {}) as Record<string, unknown>);
  } else {
    call = beginCall(context, request, envelope, io, what);
  }
  const parked = call;
  const abort = () => parked.abort('the client closed the request');
  io.signal.addEventListener('abort', abort, { once: true });
  try {
    const outcome = await parked.next();
    if (outcome.kind === 'input_required') context.inputs.park(parked);
    return roundReply(request.method, outcome, context.serverInfo);
  } finally {
    io.signal.removeEventListener('abort', abort);
  }
}

/** The first round: the call routed upstream, its requests for the client kept for the rounds. */
function beginCall(
  context: RoundTripContext,
  request: StatelessRequest,
  envelope: Envelope,
  io: StatelessIo,
  what: string,
): InputCall {
  // Input responses without a token of ours answer a server that speaks this revision: they
  // go along (a 2025-11-25 server's link leaves them out).
  const fresh = new InputCall(what);
  fresh.begin((signal) => {
    const started = context.inFlight.start(
      context.router,
      request,
      envelope,
      io,
      (m, askSignal) => fresh.ask(m, askSignal),
      signal,
    );
    context.rounds.set(fresh, started.entry);
    return started.promise;
  });
  return fresh;
}

// Per-call cost of the gateway's router (RFC 0010, "Per-call cost"): `router.route('tools/call')`
// over three servers whose links answer at once (the policies, the fallback chain, the event and
// the trust hooks run; no transport), and with `STEP=1` the routing step alone (`toolTargets`
// then `trustedTargets`, the lists a call reads). Figures, not assertions: CPU time per call,
// builds measured in one process, alternating, median of the rounds.
//
//   node scripts/routerCall.mjs [gateway-dist ...]
//
// Each argument is a gateway `dist` folder inside apps/gateway (so that it resolves the
// workspace packages), e.g. a copy of another branch's build in apps/gateway/.bench/; default:
// the built gateway. `N` calls a round (20000; 200000 with STEP), `ROUNDS` (8).
import { loadavg } from 'node:os';
import { dirname, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createEventBus, createEventFactory } from '@selfheal/events';
import { createPolicyFromConfig } from '@selfheal/resilience';

const here = dirname(fileURLToPath(import.meta.url));
const dists =
  process.argv.length > 2 ? process.argv.slice(2) : [resolve(here, '../../apps/gateway/dist')];
const step = process.env.STEP === '1';
const N = Number(process.env.N ?? (step ? 200_000 : 20_000));
const ROUNDS = Number(process.env.ROUNDS ?? 8);

const clock = { now: () => Date.now(), setTimeout, clearTimeout };
const answer = { content: [{ type: 'text', text: 'ok' }] };
const settings = { separator: '__', degradation: 'list_with_error', requestTimeoutMs: 30_000 };
const host = {
  factory: () => {
    throw new Error('the bench opens no session');
  },
  timeoutMs: 1000,
  clientInfo: () => ({ name: 'bench', version: '0' }),
  clientCapabilities: () => ({}),
};

/** A router of one build over servers a, b, c of 20 tools each; a falls back to b. */
async function setup(dist) {
  const load = (path) => import(pathToFileURL(resolve(dist, path)).href);
  const { createRouter } = await load('session/router.js');
  const { busEmitter, classifyGatewayError } = await load('session/serverPolicies.js');
  const names = ['a', 'b', 'c'];
  const upstreams = names.map((name) => ({
    spec: { name, prefix: name, config: name === 'a' ? { fallback: ['b'] } : {} },
    catalog: {
      tools: Array.from({ length: 20 }, (_, i) => ({
        name: `tool${i}`,
        inputSchema: { type: 'object' },
      })),
      prompts: [],
      resources: [],
      resourceTemplates: [],
    },
    // The shared session the link waits for: open at once (its forward is replaced below).
    session: async () => ({}),
  }));
  const events = createEventFactory({ clock, repo: 'selfheal' });
  const bus = createEventBus({ events, clock });
  const policies = new Map(
    names.map((serverName) => [
      serverName,
      createPolicyFromConfig(
        { serverName, clock, sink: () => {}, classify: classifyGatewayError },
        {},
      ),
    ]),
  );
  const calls = {
    policies,
    bus,
    events,
    clock,
    emitter: busEmitter(() => {}, events),
    isDown: () => false,
    // A guard that refuses nothing and keeps the order: the router's own work is what is timed.
    trust: {
      route: (targets) => targets.filter(() => true),
      refusal: () => undefined,
      observeAttempt: () => {},
      observeAnswer: (_server, _tool, _listed, result) => result,
      invalidMessage: () => {},
      filterTools: (_server, tools) => tools,
    },
  };
  // As the gateway passes it: the count of changes to the upstreams (older builds ignore it).
  const options = { upstreams, upstreamsGeneration: () => 0, settings, host, calls };
  const router = createRouter(options);
  for (const link of router.links) link.forward = async () => answer;
  const extra = {
    signal: new AbortController().signal,
    requestId: 1,
    sendNotification: async () => {},
  };
  const params = { name: 'a__tool7', arguments: {} };
  if (!step) return () => router.route('tools/call', params, extra);
  const { createRouterContext } = await load('session/routerContext.js');
  const { toolTargets, trustedTargets } = await load('session/toolTargets.js');
  const context = createRouterContext(options);
  return () => trustedTargets(context, toolTargets(context, params.name));
}

const runs = [];
for (const dist of dists) runs.push(await setup(dist));
for (const run of runs) for (let i = 0; i < 2000; i++) await run();
const perCall = dists.map(() => []);
for (let round = 0; round < ROUNDS; round++) {
  for (let k = 0; k < runs.length; k++) {
    const j = round % 2 === 0 ? k : runs.length - 1 - k;
    const run = runs[j];
    const start = process.cpuUsage();
    if (step) for (let i = 0; i < N; i++) run();
    else for (let i = 0; i < N; i++) await run();
    const used = process.cpuUsage(start);
    perCall[j].push((used.user + used.system) / N);
  }
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
console.log(
  `${step ? 'toolTargets + trustedTargets' : "route('tools/call')"}, CPU µs a call, load average ${loadavg()[0].toFixed(1)}`,
);
for (const [j, dist] of dists.entries())
  console.log(
    `${median(perCall[j]).toFixed(2)}  ${dist}  (${perCall[j].map((x) => x.toFixed(2)).join(' ')})`,
  );
process.exit(0);

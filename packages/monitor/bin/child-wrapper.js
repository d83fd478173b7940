#!/usr/bin/env node
// Runs one supervised server: `node child-wrapper.js GRACE_MS COMMAND [ARGS...]`.
//
// The supervisor starts this wrapper as the leader of a new process group; the server below
// inherits the wrapper's stdin/stdout/stderr (the MCP traffic never passes through here) and
// joins the group. fd 3 is a socket to the supervisor:
// - the wrapper writes `{"pid":N}` once the server runs and `{"exit":{code,signal}}` when it
//   ends, then exits itself;
// - when fd 3 reaches end-of-file the supervisor is gone (even after SIGKILL, which no exit
//   hook survives): the wrapper sends SIGTERM (and SIGCONT, for stopped servers) to the whole
//   group, then SIGKILL after GRACE_MS, so no server outlives its monitor.
import { spawn } from 'node:child_process';
import { Socket } from 'node:net';

const [graceArg, command, ...args] = process.argv.slice(2);
const graceMs = Number(graceArg);
const control = new Socket({ fd: 3, readable: true, writable: true });
const send = (message) => {
  if (!control.destroyed && control.writable) control.write(`${JSON.stringify(message)}\n`);
};
const killGroup = (signal) => {
  try {
    process.kill(-process.pid, signal);
  } catch {
    // ESRCH: the group is already gone.
  }
};

// Signals for the group reach the server directly; the wrapper stays to report its exit.
for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP']) process.on(signal, () => {});

control.on('error', () => {});
let exiting = false;
control.on('close', () => {
  if (exiting) return;
  killGroup('SIGTERM');
  killGroup('SIGCONT');
  setTimeout(() => killGroup('SIGKILL'), Number.isFinite(graceMs) ? graceMs : 5000);
});
control.resume();

if (!command) {
  process.stderr.write('child-wrapper: no command given\n');
  process.exit(2);
}
const child = spawn(command, args, { stdio: ['inherit', 'inherit', 'inherit'] });
child.on('error', (error) => {
  process.stderr.write(`child-wrapper: cannot start ${command}: ${error.message}\n`);
  exiting = true;
  send({ exit: { code: 127, signal: null, error: error.message } });
  control.end(() => process.exit(127));
});
child.on('spawn', () => send({ pid: child.pid }));
child.on('exit', (code, signal) => {
  exiting = true;
  send({ exit: { code, signal } });
  control.end(() => process.exit(code ?? 1));
});

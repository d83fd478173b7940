import type { ControlAction } from '@selfheal/monitor';
import { describe, expect, it } from 'vitest';
import type { UpstreamState } from '../upstream/upstreamServer.js';
import { controlCommand } from './controlSocket.js';
import { describeFailedCheck, describeUpstreamChange } from './upstreamReport.js';

const up: UpstreamState = { status: 'up', since: 0 };
const down = (error: string, attempt: number, manual = false): UpstreamState => ({
  status: 'down',
  since: 1,
  error,
  attempt,
  manual,
});
const command = (action: ControlAction, server: string) =>
  controlCommand(action, server, '/run/gw/monitor.sock');

/** The lines printed for a sequence of states, as `reportUpstreams` prints them. */
function linesFor(states: UpstreamState[], disabled = false): string[] {
  const lines: string[] = [];
  for (let i = 1; i < states.length; i++) {
    const line = describeUpstreamChange('crashing', states[i]!, states[i - 1]!, {
      command,
      disabled,
    });
    if (line) lines.push(line);
  }
  return lines;
}

describe('describeUpstreamChange', () => {
  it('prints one crash as one down line per new fact, not three', () => {
    // The states a gateway goes through for one crash of the demo's crashing server: the exit
    // (server_down), the restart (recovery_started), the next check (same crash, new error
    // text), then the restarted process listed.
    const exited = 'process exited (exit code 1)';
    expect(linesFor([up, down(exited, 0), down(exited, 1), down('down', 1), up])).toEqual([
      '  down  crashing: process exited (exit code 1) (the monitor is recovering it, 0 attempts so far)\n',
      '  down  crashing: process exited (exit code 1) (the monitor is recovering it, 1 attempt so far)\n',
      '  up    crashing\n',
    ]);
  });

  it('names the reset command with the control path when recovery stops', () => {
    expect(
      linesFor([down('process exited (exit code 1)', 5), down('no MCP session', 5, true)]),
    ).toEqual([
      '  down  crashing: no MCP session (recovery stopped after 5 attempts; waiting for an operator; to start it again: selfheal monitor reset crashing --control /run/gw/monitor.sock)\n',
    ]);
  });

  it('prints nothing for a new error text while waiting, and again once reset', () => {
    const waiting = down('process exited (exit code 1)', 2, true);
    expect(linesFor([waiting, down('no MCP session', 2, true), down('no MCP session', 0)])).toEqual(
      ['  down  crashing: no MCP session (the monitor is recovering it, 0 attempts so far)\n'],
    );
  });

  it('names enable, not reset, for a disabled server', () => {
    expect(linesFor([up, down('disabled by an operator', 0, true)], true)).toEqual([
      '  down  crashing: disabled by an operator (disabled; waiting for an operator; to start it again: selfheal monitor enable crashing --control /run/gw/monitor.sock)\n',
    ]);
  });

  it('names no command without a control socket, and counts tools on the up line', () => {
    expect(describeUpstreamChange('a', down('x', 1, true), down('x', 1))).toBe(
      '  down  a: x (recovery stopped after 1 attempt; waiting for an operator)\n',
    );
    const catalog = { tools: [1, 2], prompts: [], resources: [3] };
    expect(describeUpstreamChange('a', up, down('x', 1), { catalog })).toBe(
      '  up    a (2 tools, 0 prompts, 1 resources)\n',
    );
    expect(describeUpstreamChange('a', up, up)).toBeUndefined();
    expect(
      describeUpstreamChange('a', { status: 'connecting', since: 0, attempt: 0 }, up),
    ).toBeUndefined();
  });

  it('a server stopped before any attempt (a missing command) says it was not restarted and how to go on', () => {
    const error = 'process exited (exit code 127: command not found)';
    expect(linesFor([up, down(error, 0, true)])).toEqual([
      `  down  crashing: ${error} (not restarted, a restart would fail the same way; fix the config, then start it again: selfheal monitor reset crashing --control /run/gw/monitor.sock)\n`,
    ]);
  });
});

describe('describeFailedCheck', () => {
  it('tells the cause of a failed check before the threshold, and nothing at it', () => {
    expect(describeFailedCheck('web', 'connect ECONNREFUSED 127.0.0.1:9', 1, 3)).toBe(
      '  fail  web: connect ECONNREFUSED 127.0.0.1:9 (failed check 1 of 3 before it counts as down)\n',
    );
    expect(describeFailedCheck('web', 'x', 3, 3)).toBeUndefined();
  });
});

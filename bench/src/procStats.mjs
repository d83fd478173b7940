// What Linux /proc says about a process: its descendants (with their command lines) and its
// memory (VmRSS, and VmHWM: the peak resident set since it started).
import { readdirSync, readFileSync } from 'node:fs';

const read = (path) => {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined; // the process exited meanwhile
  }
};

/** Every process below `pid` (children, their children, ...), each `{ pid, command }`. */
export function descendants(pid) {
  const children = new Map();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = read(`/proc/${entry}/stat`);
    if (stat === undefined) continue;
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    if (!children.has(ppid)) children.set(ppid, []);
    children.get(ppid).push(Number(entry));
  }
  const found = [];
  const queue = [...(children.get(pid) ?? [])];
  while (queue.length > 0) {
    const child = queue.shift();
    const command = (read(`/proc/${child}/cmdline`) ?? '').split('\0').join(' ').trim();
    found.push({ pid: child, command });
    queue.push(...(children.get(child) ?? []));
  }
  return found;
}

/** `{ rssMb, peakMb }` of process `pid` (VmRSS and VmHWM), NaN when it is gone. */
export function memory(pid) {
  const status = read(`/proc/${pid}/status`) ?? '';
  const kb = (key) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rssMb: kb('VmRSS') / 1024, peakMb: kb('VmHWM') / 1024 };
}

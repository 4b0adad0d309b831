import { readdirSync, readFileSync } from 'node:fs';

/** Clock ticks per second of /proc's utime and stime (USER_HZ, 100 on Linux). */
const TICKS_PER_SECOND = 100;

/**
 * CPU time (user + system, ms) used so far by every live process in process group `pgid`:
 * a `wrangler dev` server's group holds wrangler itself and its workerd processes (the entry
 * proxy and the Worker with its Durable Objects, local D1 and Cache API). Unlike latency, CPU
 * per request does not depend on what else the machine is running. Linux only; NaN elsewhere.
 */
export function processGroupCpuMs(pgid: number): number {
  let ticks = 0;
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return Number.NaN;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // exited meanwhile
    }
    // Fields after the command name (which may hold spaces) start at state: pgrp is the 5th
    // field overall, utime the 14th and stime the 15th.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(rest[2]) !== pgid) continue;
    ticks += Number(rest[11]) + Number(rest[12]);
  }
  return (ticks * 1000) / TICKS_PER_SECOND;
}

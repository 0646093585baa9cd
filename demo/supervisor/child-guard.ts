// Loaded first (`--import`) into every supervised child: if the supervisor dies without stopping
// us (SIGKILL, crash), exit instead of living on as an orphan that keeps its port. Linux's
// PR_SET_PDEATHSIG is not reachable from Node, so watch two things that change when the parent is
// gone: the stdin pipe the supervisor holds open reaches end-of-file at once, and the parent PID
// changes (re-parented to init or a subreaper), checked every second as a fallback.
const parent = process.ppid;
let leaving = false;

function parentGone(why: string): void {
  if (leaving) return;
  leaving = true;
  process.stderr.write(`[supervisor-guard] supervisor gone (${why}); exiting\n`);
  // SIGTERM lets the service's own handler flush telemetry; exit anyway if it does not.
  setTimeout(() => process.exit(0), 3000).unref();
  process.kill(process.pid, 'SIGTERM');
}

if (process.env.ORRERY_SUPERVISED === '1') {
  const stdin = process.stdin;
  stdin.on('end', () => parentGone('stdin closed'));
  stdin.on('error', () => parentGone('stdin error'));
  stdin.resume();
  // Do not let the watch itself keep a finished child alive.
  (stdin as unknown as { unref?: () => void }).unref?.();
  setInterval(() => {
    if (process.ppid !== parent) parentGone(`parent ${parent} exited`);
  }, 1000).unref();
}

export {};

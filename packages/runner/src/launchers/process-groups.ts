// Process groups of the tasks (and warm workers) this process started. The runner stops them through
// each launch's abort signal; this registry is the last resort when the process exits before they
// are gone (a second Ctrl-C exits at once): every group still alive is killed, so no task outlives
// its runner. Docker containers have their own registry (docker-daemon.ts).
const live = new Set<number>();
let hooked = false;

export function trackGroup(pid: number): void {
  if (!hooked) {
    hooked = true;
    process.once('exit', killLiveGroups);
  }
  live.add(pid);
}

export function untrackGroup(pid: number): void {
  live.delete(pid);
}

function killLiveGroups(): void {
  for (const pid of live) {
    try { process.kill(-pid, 'SIGKILL'); } catch { /* already gone */ }
  }
  live.clear();
}

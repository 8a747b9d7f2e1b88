// Holds the live RunRecord: persists it as `run.json` in the run folder (atomically, coalescing bursts
// of updates) and tells listeners (live view, --json output) about every change.
import { rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { RunEvent, RunRecord, TaskRecord } from './types.ts';

export class RunRecorder {
  readonly run: RunRecord;
  private readonly listeners: ((e: RunEvent) => void)[] = [];
  private writing: Promise<void> = Promise.resolve();
  private dirty = false;

  constructor(run: RunRecord, listener?: (e: RunEvent) => void) {
    this.run = run;
    if (listener) this.listeners.push(listener);
  }

  started(): void {
    this.emit({ type: 'run-started', run: this.run });
    this.persist();
  }

  addTask(task: TaskRecord): TaskRecord {
    this.run.tasks.push(task);
    this.emit({ type: 'task-updated', run: this.run, task });
    this.persist();
    return task;
  }

  updateTask(task: TaskRecord, patch: Partial<TaskRecord>): void {
    Object.assign(task, patch);
    this.emit({ type: 'task-updated', run: this.run, task });
    this.persist();
  }

  async finished(patch: Partial<RunRecord>): Promise<void> {
    Object.assign(this.run, patch);
    this.emit({ type: 'run-finished', run: this.run });
    this.persist();
    await this.flush();
  }

  async flush(): Promise<void> {
    await this.writing;
    if (this.dirty) {
      this.persist();
      await this.writing;
    }
  }

  private emit(e: RunEvent): void {
    for (const l of this.listeners) l(e);
  }

  // One write in flight at a time; updates arriving meanwhile are folded into the next write.
  private persist(): void {
    if (this.dirty) return;
    this.dirty = true;
    this.writing = this.writing.then(async () => {
      this.dirty = false;
      const file = join(this.run.runDir, 'run.json');
      const tmp = `${file}.${process.pid}.tmp`;
      await writeFile(tmp, JSON.stringify(this.run, null, 2));
      await rename(tmp, file);
    });
  }
}

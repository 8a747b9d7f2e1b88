// What `formalize run` shows while a run goes: a live view on a TTY, plain lines otherwise, JSON lines
// with --json. Each view gets every RunEvent; `notice` shows a message from the CLI itself.
import type { RunEvent } from '@formalize/runner';

export interface RunView {
  onEvent(e: RunEvent): void;
  notice(message: string): void;
  /** Draws the final state and releases the terminal. */
  close(): void;
}

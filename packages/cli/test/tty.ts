// Runs the CLI under a real pseudo-terminal (util-linux `script`, part of every Debian) and replays
// what it wrote through a headless terminal emulator (@xterm/headless), so a test reads the screen a
// user would see, frame by frame, instead of raw escape codes.
import { spawn } from 'node:child_process';
import xterm from '@xterm/headless';
import { CLI, childEnv, type CliResult } from './helpers.ts';

export interface TtyOptions {
  cols: number;
  rows: number;
}

export interface TtyRun {
  /** Writes keystrokes to the terminal (`\x03` is Ctrl-C: the tty driver turns it into SIGINT). */
  type(keys: string): void;
  /** Everything the program wrote to the terminal so far, escape codes included. */
  raw(): string;
  done: Promise<CliResult>;
}

/** "Cursor to the start of the line n up" (CSI n F): the live view redraws its block with it. */
// Matching the escape character is the point.
// oxlint-disable-next-line no-control-regex
export const REDRAW = /\x1b\[\d+F/g;

const quote = (s: string) => `'${s.replaceAll("'", `'\\''`)}'`;

/** Starts `formalize <args>` with stdin, stdout and stderr on a pty of the given size. */
export function startTty(args: string[], cwd: string, o: TtyOptions): TtyRun {
  // `script -c` runs the command through a shell on the pty: set its size, then become the CLI.
  const command = `stty cols ${o.cols} rows ${o.rows} && exec ${[process.execPath, CLI, ...args].map(quote).join(' ')}`;
  // A user's terminal: without CI=true, under which Node reports no colours (tty.getColorDepth).
  const { CI: _ci, ...env } = childEnv();
  const child = spawn('script', ['--quiet', '--flush', '--return', '--command', command, '/dev/null'], {
    cwd, env: { ...env, TERM: 'xterm-256color' }, stdio: ['pipe', 'pipe', 'pipe'],
  });
  let raw = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => { raw += d.toString('utf8'); });
  child.stderr.on('data', (d: Buffer) => { stderr += d.toString('utf8'); });
  const done = new Promise<CliResult>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout: raw, stderr }));
  });
  return { type: (keys) => child.stdin.write(keys), raw: () => raw, done };
}

/** What the terminal showed at one moment: every buffer line (scrollback and viewport), right-trimmed. */
export interface Screen {
  lines: string[];
  /** Palette colour of the first cell of `text` on the first line holding it (-1: default colour). */
  colourOf(text: string): number | undefined;
}

/**
 * The screens a terminal of this size showed while `output` was written to it: one after each frame
 * of the live view (the output is cut before every "cursor n lines up", CSI n F, it redraws with)
 * and the last one once everything was written.
 */
export async function screens(output: string, o: TtyOptions): Promise<Screen[]> {
  const term = new xterm.Terminal({ cols: o.cols, rows: o.rows, allowProposedApi: true, scrollback: 1000 });
  const shots: Screen[] = [];
  for (const chunk of output.split(new RegExp(`(?=${REDRAW.source})`))) {
    await new Promise<void>((resolve) => term.write(chunk, resolve));
    shots.push(snapshot(term));
  }
  term.dispose();
  return shots;
}

function snapshot(term: InstanceType<typeof xterm.Terminal>): Screen {
  const buffer = term.buffer.active;
  const lines: string[] = [];
  const colours: number[][] = [];
  for (let i = 0; i < buffer.length; i++) {
    const line = buffer.getLine(i);
    lines.push(line?.translateToString(true) ?? '');
    const row: number[] = [];
    for (let x = 0; line && x < lines[i]!.length; x++) {
      const cell = line.getCell(x);
      row.push(cell && cell.isFgPalette() ? cell.getFgColor() : -1);
    }
    colours.push(row);
  }
  while (lines.length && lines.at(-1) === '') lines.pop();
  return {
    lines,
    colourOf(text) {
      // Columns are string indexes: every glyph the view draws is one cell wide.
      const i = lines.findIndex((l) => l.includes(text));
      return i < 0 ? undefined : colours[i]![lines[i]!.indexOf(text)];
    },
  };
}

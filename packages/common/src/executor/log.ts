// Component logs go to stderr: one JSON object per line when a machine reads them (Cloud Logging parses
// `severity`/`message`), readable text with an in-place progress line when a person watches a terminal.

export interface LogStream {
  write(text: string): unknown;
  isTTY?: boolean;
}

export type LogFields = Record<string, unknown>;

export interface Logger {
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  /** Long work (rows, epochs, trials): `done` of `total` (unknown total allowed) units named by `label`. */
  progress(label: string, done: number, total?: number): void;
}

export interface LoggerOptions {
  component: string;
  stream: LogStream;
  /** Defaults to JSON unless the stream is a TTY. */
  json?: boolean;
  /** Minimum interval between two progress lines of one label in JSON mode. */
  progressIntervalMs?: number;
  now?: () => number;
}

export function createLogger(opts: LoggerOptions): Logger {
  const { component, stream } = opts;
  const json = opts.json ?? !stream.isTTY;
  const now = opts.now ?? Date.now;
  const interval = opts.progressIntervalMs ?? 1000;
  const lastProgress = new Map<string, number>();
  let progressLineOpen = false;

  const emit = (severity: string, message: string, fields: LogFields = {}) => {
    if (json) {
      stream.write(JSON.stringify({ time: new Date(now()).toISOString(), severity, component, message, ...fields }) + '\n');
      return;
    }
    const extra = Object.entries(fields).map(([k, v]) => ` ${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`).join('');
    const prefix = progressLineOpen ? '\n' : '';
    progressLineOpen = false;
    stream.write(`${prefix}[${component}] ${severity === 'INFO' ? '' : `${severity}: `}${message}${extra}\n`);
  };

  return {
    info: (m, f) => emit('INFO', m, f),
    warn: (m, f) => emit('WARNING', m, f),
    error: (m, f) => emit('ERROR', m, f),
    progress(label, done, total) {
      const finished = total !== undefined && done >= total;
      if (json) {
        const t = now();
        const last = lastProgress.get(label);
        if (!finished && last !== undefined && t - last < interval) return;
        lastProgress.set(label, t);
        emit('INFO', 'progress', { label, done, ...(total !== undefined && { total }) });
        return;
      }
      const pct = total ? ` (${Math.floor((done / total) * 100)}%)` : '';
      stream.write(`\r[${component}] ${label}: ${done}${total !== undefined ? `/${total}` : ''}${pct}\x1b[K${finished ? '\n' : ''}`);
      progressLineOpen = !finished;
    },
  };
}

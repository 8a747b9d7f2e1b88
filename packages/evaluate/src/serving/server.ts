// The prediction server: Vertex AI's custom serving container contract on node:http. POST the predict route
// with `{"instances": [...]}` -> `{"predictions": [{"scores": p}, ...]}`; GET the health route -> 200 once
// the model is loaded (503 before, so Vertex does not route traffic to it yet). A bad request is a 400 whose
// `error` names the field and the value; nothing a client sends can crash the process.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '@formalize/common';
import { InstanceError, parsePredictRequest } from './instances.ts';
import { createBatcher, type Predictor } from './predictor.ts';

export interface ServerOptions {
  /** Loads the model; the server listens (and answers health checks with 503) meanwhile. */
  load: () => Promise<Predictor>;
  port: number;
  /** Default 0.0.0.0 (a container); tests use 127.0.0.1. */
  host?: string;
  predictRoute: string;
  healthRoute: string;
  /** Largest request body (default 1.5 MB, Vertex online prediction's limit). */
  maxBodyBytes?: number;
  maxInstances?: number;
  maxBatchRows?: number;
  log: Logger;
}

export interface PredictionServer {
  /** `http://host:port`. */
  readonly url: string;
  /** Settles when the model is loaded (rejects when loading failed; the server then answers 503). */
  readonly loaded: Promise<void>;
  /** Stops accepting connections, lets requests in flight finish, then resolves. */
  close(): Promise<void>;
}

export const DEFAULT_MAX_BODY_BYTES = 1_572_864;
export const DEFAULT_MAX_INSTANCES = 10_000;

class HttpError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

function json(res: ServerResponse, status: number, body: unknown, keepAlive: boolean): void {
  const text = JSON.stringify(body);
  // Once the server is closing, answers end their connection: close() then need not wait for keep-alive sockets.
  if (!keepAlive) res.shouldKeepAlive = false;
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

async function readBody(req: IncomingMessage, limit: number): Promise<string> {
  const declared = Number(req.headers['content-length']);
  if (declared > limit) throw new HttpError(400, `request body: ${declared} bytes, more than the ${limit} allowed`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw new HttpError(400, `request body: more than the ${limit} bytes allowed`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export async function startPredictionServer(options: ServerOptions): Promise<PredictionServer> {
  const { log, predictRoute, healthRoute } = options;
  const maxBody = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const maxInstances = options.maxInstances ?? DEFAULT_MAX_INSTANCES;
  let predictor: Predictor | undefined;
  let batch: ((rows: Parameters<Predictor['predict']>[0]) => Promise<Float32Array>) | undefined;
  let loadError: string | undefined;
  let closing = false;
  const send = (res: ServerResponse, status: number, body: unknown) => json(res, status, body, !closing);

  const predict = async (req: IncomingMessage, res: ServerResponse) => {
    if (!predictor || !batch) throw new HttpError(503, loadError ? `model failed to load: ${loadError}` : 'model is loading');
    const text = await readBody(req, maxBody);
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch (err) {
      throw new HttpError(400, `request body: not JSON (${(err as Error).message})`);
    }
    const rows = parsePredictRequest(predictor.transform, body, { maxInstances });
    const scores = await batch(rows);
    send(res, 200, { predictions: Array.from(scores, (p) => ({ scores: p })) });
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === healthRoute) {
      if (req.method !== 'GET' && req.method !== 'HEAD') throw new HttpError(405, `${req.method} ${path}: use GET`);
      if (predictor) send(res, 200, { status: 'ok', ...predictor.description });
      else send(res, 503, { status: loadError ? 'failed' : 'loading', ...(loadError && { error: loadError }) });
      return;
    }
    if (path === predictRoute) {
      if (req.method !== 'POST') throw new HttpError(405, `${req.method} ${path}: use POST`);
      await predict(req, res);
      return;
    }
    throw new HttpError(404, `${path}: no such route (predict: POST ${predictRoute}, health: GET ${healthRoute})`);
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      const status = err instanceof InstanceError ? 400 : err instanceof HttpError ? err.status : 500;
      if (status === 500) log.error('prediction failed', { error: (err as Error).stack ?? String(err) });
      // The body may be unread (refused before reading): close the connection rather than drain it.
      if (!req.complete) res.setHeader('connection', 'close');
      if (!res.headersSent) send(res, status, { error: (err as Error).message });
      else res.destroy();
    });
  });
  server.on('clientError', (_err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\ncontent-type: application/json\r\nconnection: close\r\n\r\n{"error":"malformed HTTP request"}');
    else socket.destroy();
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '0.0.0.0', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const url = `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`;
  log.info('prediction server listening', { url, predictRoute, healthRoute });

  const loaded = options.load().then((p) => {
    predictor = p;
    batch = createBatcher(p, options.maxBatchRows === undefined ? {} : { maxBatchRows: options.maxBatchRows });
    log.info('model loaded', p.description);
  }, (err: unknown) => {
    loadError = (err as Error).message;
    log.error('model failed to load', { error: loadError });
    throw err;
  });
  // A failed load is reported through health checks and `loaded`; it must not be an unhandled rejection.
  loaded.catch(() => {});

  return {
    url,
    loaded,
    close: () => new Promise<void>((resolve, reject) => {
      closing = true;
      server.close((err) => (err ? reject(err) : resolve()));
      server.closeIdleConnections();
    }),
  };
}

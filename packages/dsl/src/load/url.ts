// Loading a component from an http(s) URL pinned to a version (the seed loads GCPC/KFP components from
// tagged repository URLs), optionally checking the body's SHA-256.
import { createHash } from 'node:crypto';
import type { ComponentIR } from '@formalize/common';
import { ComponentLoadError } from './errors.ts';
import { unpinnedReason } from './pin.ts';
import { loadComponentFromText } from './text.ts';

export interface LoadUrlOptions {
  /** Defaults to the global fetch. */
  fetch?: typeof globalThis.fetch;
  /** Covers the whole request, body included. Default 30 s. */
  timeoutMs?: number;
  /** Accept URLs on a branch or `latest` (not reproducible). */
  allowUnpinned?: boolean;
  /** Hex SHA-256 of the expected body (a `sha256:` prefix is allowed). */
  expectedSha256?: string;
}

const DEFAULT_TIMEOUT_MS = 30_000;

function describeFailure(e: unknown, timeoutMs: number): string {
  const err = e as Error & { cause?: { message?: string; code?: string } };
  if (err.name === 'TimeoutError' || err.name === 'AbortError') return `no complete response within ${timeoutMs} ms`;
  const cause = err.cause?.code ?? err.cause?.message;
  return `request failed: ${err.message}${cause ? ` (${cause})` : ''}`;
}

export async function loadComponentFromUrl(url: string | URL, opts: LoadUrlOptions = {}): Promise<ComponentIR> {
  const source = String(url);
  let parsed: URL;
  try {
    parsed = new URL(source);
  } catch {
    throw new ComponentLoadError(source, 'not a valid URL');
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new ComponentLoadError(source, `only http: and https: URLs can be loaded, not ${parsed.protocol}`);
  }
  if (!opts.allowUnpinned) {
    const why = unpinnedReason(parsed);
    if (why) throw new ComponentLoadError(source, `the URL is not pinned to a version: ${why}; use a tag, a commit or a digest, or pass allowUnpinned: true`);
  }
  let want: string | undefined;
  if (opts.expectedSha256 !== undefined) {
    want = opts.expectedSha256.replace(/^sha256:/i, '').toLowerCase();
    if (!/^[0-9a-f]{64}$/.test(want)) throw new ComponentLoadError(source, `expectedSha256 "${opts.expectedSha256}" is not a hex SHA-256 digest`);
  }

  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const fetchFn = opts.fetch ?? globalThis.fetch;
  let body: Uint8Array;
  try {
    const res = await fetchFn(parsed, { signal: AbortSignal.timeout(timeoutMs) });
    if (!res.ok) {
      await res.body?.cancel();
      throw new ComponentLoadError(source, `HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ''}`);
    }
    body = new Uint8Array(await res.arrayBuffer());
  } catch (e) {
    if (e instanceof ComponentLoadError) throw e;
    throw new ComponentLoadError(source, describeFailure(e, timeoutMs), { cause: e });
  }

  if (want !== undefined) {
    const got = createHash('sha256').update(body).digest('hex');
    if (got !== want) throw new ComponentLoadError(source, `SHA-256 mismatch: the body hashes to ${got}, expected ${want}`);
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(body);
  } catch {
    throw new ComponentLoadError(source, 'the response body is not UTF-8 text');
  }
  return loadComponentFromText(text, source);
}

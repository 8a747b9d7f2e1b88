// The embedded backend: MLMD's tables in one SQLite file (node:sqlite, no native addon), WAL mode and a
// busy timeout so several runs and processes can share one pipeline root.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DatabaseSync, type SQLInputValue } from 'node:sqlite';
import {
  FilterSchema, ListOptionsSchema, NewArtifactSchema, NewContextSchema, NewEventSchema, NewExecutionSchema,
  type Artifact, type Context, type Event, type Execution, type JsonObject, type LineageSubgraph, type ListOptions,
} from './model.ts';
import type { MetadataStore } from './store.ts';
import { parseOrThrow } from './validate.ts';

const SCHEMA_VERSION = 1;
const SCHEMA = `
CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS artifact (
  id INTEGER PRIMARY KEY, name TEXT, type TEXT NOT NULL, uri TEXT NOT NULL, state TEXT NOT NULL,
  metadata TEXT NOT NULL, create_time TEXT NOT NULL, update_time TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS artifact_uri ON artifact (uri);
CREATE INDEX IF NOT EXISTS artifact_type ON artifact (type, create_time);
CREATE TABLE IF NOT EXISTS execution (
  id INTEGER PRIMARY KEY, name TEXT, type TEXT NOT NULL, state TEXT NOT NULL, metadata TEXT NOT NULL,
  create_time TEXT NOT NULL, update_time TEXT NOT NULL,
  cache_key TEXT GENERATED ALWAYS AS (json_extract(metadata, '$.cache_key')) VIRTUAL);
CREATE INDEX IF NOT EXISTS execution_cache_key ON execution (cache_key, state);
CREATE TABLE IF NOT EXISTS context (
  id INTEGER PRIMARY KEY, name TEXT NOT NULL, type TEXT NOT NULL, metadata TEXT NOT NULL,
  create_time TEXT NOT NULL, update_time TEXT NOT NULL, UNIQUE (type, name));
CREATE TABLE IF NOT EXISTS event (
  artifact_id INTEGER NOT NULL REFERENCES artifact (id), execution_id INTEGER NOT NULL REFERENCES execution (id),
  type TEXT NOT NULL, path TEXT NOT NULL, time TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS event_artifact ON event (artifact_id);
CREATE INDEX IF NOT EXISTS event_execution ON event (execution_id);
CREATE TABLE IF NOT EXISTS attribution (context_id INTEGER NOT NULL, artifact_id INTEGER NOT NULL, PRIMARY KEY (context_id, artifact_id));
CREATE TABLE IF NOT EXISTS association (context_id INTEGER NOT NULL, execution_id INTEGER NOT NULL, PRIMARY KEY (context_id, execution_id));
CREATE TABLE IF NOT EXISTS parent_context (parent_id INTEGER NOT NULL, child_id INTEGER NOT NULL, PRIMARY KEY (parent_id, child_id));
`;

type Row = Record<string, SQLInputValue>;
type Table = 'artifact' | 'execution' | 'context';
const MEMBERSHIP: Record<Table, string> = {
  artifact: 'SELECT artifact_id FROM attribution WHERE context_id = ?',
  execution: 'SELECT execution_id FROM association WHERE context_id = ?',
  context: 'SELECT child_id FROM parent_context WHERE parent_id = ?',
};

const now = () => new Date().toISOString();
const stamps = (r: Row) => ({ id: String(r['id']), createTime: String(r['create_time']), updateTime: String(r['update_time']) });
const toArtifact = (r: Row): Artifact => ({
  ...stamps(r), ...(r['name'] != null ? { name: String(r['name']) } : {}), type: String(r['type']), uri: String(r['uri']),
  state: r['state'] as Artifact['state'], metadata: JSON.parse(String(r['metadata'])) as JsonObject,
});
const toExecution = (r: Row): Execution => ({
  ...stamps(r), ...(r['name'] != null ? { name: String(r['name']) } : {}), type: String(r['type']),
  state: r['state'] as Execution['state'], metadata: JSON.parse(String(r['metadata'])) as JsonObject,
});
const toContext = (r: Row): Context => ({ ...stamps(r), name: String(r['name']), type: String(r['type']), metadata: JSON.parse(String(r['metadata'])) as JsonObject });
const toEvent = (r: Row): Event => ({ artifactId: String(r['artifact_id']), executionId: String(r['execution_id']), type: r['type'] as Event['type'], path: String(r['path']), time: String(r['time']) });

function sqlValue(field: string, v: unknown): SQLInputValue {
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'string' || typeof v === 'number' || v === null) return v;
  throw new Error(`filter.${field}: only string, number, boolean or null values can be matched, received ${JSON.stringify(v)}`);
}

export async function openSqliteStore(path: string): Promise<MetadataStore> {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new DatabaseSync(path);
  db.exec('PRAGMA busy_timeout = 10000');
  if (path !== ':memory:') db.exec('PRAGMA journal_mode = WAL');
  db.exec('PRAGMA synchronous = NORMAL');
  transaction(db, () => {
    db.exec(SCHEMA);
    const v = db.prepare('SELECT version FROM schema_version').get() as Row | undefined;
    if (!v) db.prepare('INSERT INTO schema_version (version) VALUES (?)').run(SCHEMA_VERSION);
    else if (Number(v['version']) > SCHEMA_VERSION) throw new Error(`${path}: metadata schema version ${String(v['version'])} is newer than this store (${SCHEMA_VERSION})`);
  });

  const list = (table: Table, opts: ListOptions | undefined): Row[] => {
    const o = parseOrThrow(ListOptionsSchema, opts ?? {}, 'list options');
    const f = parseOrThrow(FilterSchema, o.filter, 'filter');
    const where: string[] = [];
    const params: SQLInputValue[] = [];
    for (const key of ['type', 'state', 'uri', 'name'] as const) {
      if (f[key] === undefined) continue;
      if (key === 'uri' && table !== 'artifact') throw new Error(`filter.uri: only artifacts have a uri (listing ${table}s)`);
      if (key === 'state' && table === 'context') throw new Error('filter.state: contexts have no state');
      where.push(`${key} = ?`);
      params.push(f[key]);
    }
    if (f.contextId !== undefined) { where.push(`id IN (${MEMBERSHIP[table]})`); params.push(Number(f.contextId)); }
    for (const [k, v] of Object.entries(f.metadata ?? {})) {
      where.push(`json_extract(metadata, ?) = ?`);
      params.push(`$."${k.replaceAll('"', '""')}"`, sqlValue(`metadata.${k}`, v));
    }
    const order = o.orderBy === 'createTime desc' ? 'create_time DESC, id DESC' : 'create_time ASC, id ASC';
    const sql = `SELECT * FROM ${table}${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY ${order}${o.limit ? ` LIMIT ${o.limit}` : ''}`;
    return db.prepare(sql).all(...params) as Row[];
  };
  const one = (table: Table, id: string) => db.prepare(`SELECT * FROM ${table} WHERE id = ?`).get(Number(id)) as Row | undefined;
  const must = (table: Table, id: string) => {
    const r = one(table, id);
    if (!r) throw new Error(`${table} ${id} does not exist`);
    return r;
  };
  const patch = (table: Table, id: string, p: { state?: string; metadata?: JsonObject }) => {
    must(table, id);
    if (p.state !== undefined) db.prepare(`UPDATE ${table} SET state = ?, update_time = ? WHERE id = ?`).run(p.state, now(), Number(id));
    if (p.metadata !== undefined) db.prepare(`UPDATE ${table} SET metadata = ?, update_time = ? WHERE id = ?`).run(JSON.stringify(p.metadata), now(), Number(id));
    return must(table, id);
  };

  return {
    async createArtifact(input) {
      const a = parseOrThrow(NewArtifactSchema, input, 'artifact');
      const t = now();
      const r = db.prepare('INSERT INTO artifact (name, type, uri, state, metadata, create_time, update_time) VALUES (?, ?, ?, ?, ?, ?, ?)')
        .run(a.name ?? null, a.type, a.uri, a.state, JSON.stringify(a.metadata), t, t);
      return toArtifact(must('artifact', String(r.lastInsertRowid)));
    },
    async getArtifact(id) { const r = one('artifact', id); return r && toArtifact(r); },
    async updateArtifact(id, p) { return toArtifact(patch('artifact', id, p)); },
    async listArtifacts(opts) { return list('artifact', opts).map(toArtifact); },

    async createExecution(input) {
      const e = parseOrThrow(NewExecutionSchema, input, 'execution');
      const t = now();
      const r = db.prepare('INSERT INTO execution (name, type, state, metadata, create_time, update_time) VALUES (?, ?, ?, ?, ?, ?)')
        .run(e.name ?? null, e.type, e.state, JSON.stringify(e.metadata), t, t);
      return toExecution(must('execution', String(r.lastInsertRowid)));
    },
    async getExecution(id) { const r = one('execution', id); return r && toExecution(r); },
    async updateExecution(id, p) { return toExecution(patch('execution', id, p)); },
    async listExecutions(opts) { return list('execution', opts).map(toExecution); },

    async getOrCreateContext(input) {
      const c = parseOrThrow(NewContextSchema, input, 'context');
      const t = now();
      db.prepare('INSERT INTO context (name, type, metadata, create_time, update_time) VALUES (?, ?, ?, ?, ?) ON CONFLICT (type, name) DO NOTHING')
        .run(c.name, c.type, JSON.stringify(c.metadata), t, t);
      return toContext(db.prepare('SELECT * FROM context WHERE type = ? AND name = ?').get(c.type, c.name) as Row);
    },
    async getContext(id) { const r = one('context', id); return r && toContext(r); },
    async updateContext(id, p) { return toContext(patch('context', id, p)); },
    async listContexts(opts) { return list('context', opts).map(toContext); },
    async addContextChildren(parentId, childIds) {
      must('context', parentId);
      transaction(db, () => {
        for (const c of childIds) db.prepare('INSERT OR IGNORE INTO parent_context (parent_id, child_id) VALUES (?, ?)').run(Number(parentId), Number(must('context', c)['id']));
      });
    },
    async addContextArtifactsAndExecutions(contextId, artifactIds, executionIds) {
      must('context', contextId);
      transaction(db, () => {
        for (const a of artifactIds) db.prepare('INSERT OR IGNORE INTO attribution (context_id, artifact_id) VALUES (?, ?)').run(Number(contextId), Number(a));
        for (const e of executionIds) db.prepare('INSERT OR IGNORE INTO association (context_id, execution_id) VALUES (?, ?)').run(Number(contextId), Number(e));
      });
    },

    async addExecutionEvents(executionId, events) {
      must('execution', executionId);
      const parsed = events.map((e, i) => parseOrThrow(NewEventSchema, e, `events[${i}]`));
      transaction(db, () => {
        const t = now();
        for (const e of parsed) {
          must('artifact', e.artifactId);
          db.prepare('INSERT INTO event (artifact_id, execution_id, type, path, time) VALUES (?, ?, ?, ?, ?)').run(Number(e.artifactId), Number(executionId), e.type, e.path, t);
        }
      });
    },
    async queryExecutionInputsAndOutputs(executionId) {
      const events = (db.prepare('SELECT * FROM event WHERE execution_id = ? ORDER BY rowid').all(Number(executionId)) as Row[]).map(toEvent);
      const ids = [...new Set(events.map((e) => e.artifactId))];
      return { events, artifacts: ids.map((id) => toArtifact(must('artifact', id))) };
    },
    async queryArtifactLineageSubgraph(artifactId, opts = {}) {
      const maxHops = opts.maxHops ?? 100;
      const direction = opts.direction ?? 'upstream';
      const artifacts = new Map<string, Artifact>([[artifactId, toArtifact(must('artifact', artifactId))]]);
      const executions = new Map<string, Execution>();
      const events = new Map<string, Event>();
      let frontier = [artifactId];
      // One hop = artifact -> execution -> artifact, following OUTPUT events upstream and INPUT events downstream.
      for (let hop = 0; hop < maxHops && frontier.length; hop++) {
        const next: string[] = [];
        for (const a of frontier) {
          const links = (db.prepare('SELECT * FROM event WHERE artifact_id = ?').all(Number(a)) as Row[]).map(toEvent)
            .filter((e) => direction === 'both' || (direction === 'upstream' ? e.type === 'OUTPUT' : e.type === 'INPUT'));
          for (const link of links) {
            events.set(`${link.artifactId}/${link.executionId}/${link.type}/${link.path}`, link);
            if (executions.has(link.executionId)) continue;
            executions.set(link.executionId, toExecution(must('execution', link.executionId)));
            const wanted = direction === 'upstream' ? 'INPUT' : direction === 'downstream' ? 'OUTPUT' : undefined;
            for (const e of (db.prepare('SELECT * FROM event WHERE execution_id = ?').all(Number(link.executionId)) as Row[]).map(toEvent)) {
              if (wanted && e.type !== wanted) continue;
              events.set(`${e.artifactId}/${e.executionId}/${e.type}/${e.path}`, e);
              if (!artifacts.has(e.artifactId)) {
                artifacts.set(e.artifactId, toArtifact(must('artifact', e.artifactId)));
                next.push(e.artifactId);
              }
            }
          }
        }
        frontier = next;
      }
      return { artifacts: [...artifacts.values()], executions: [...executions.values()], events: [...events.values()] } satisfies LineageSubgraph;
    },
    async close() { db.close(); },
  };
}

function transaction(db: DatabaseSync, body: () => void): void {
  db.exec('BEGIN IMMEDIATE');
  try {
    body();
    db.exec('COMMIT');
  } catch (err) {
    db.exec('ROLLBACK');
    throw err;
  }
}

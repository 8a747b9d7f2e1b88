// The embedded backend: MLMD's tables in one SQLite file in the pipeline root, through node:sqlite
// (built into Node, no native addon). WAL mode lets readers run beside a writer; every write is one
// `BEGIN IMMEDIATE` transaction, which takes the write lock up front so the busy timeout applies
// (a deferred transaction upgrading to a writer can fail with SQLITE_BUSY regardless of the timeout).
// Several runs and processes can therefore share one file.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { AsyncLocalStorage } from 'node:async_hooks';
import { DatabaseSync, type SQLInputValue, type StatementSync } from 'node:sqlite';
import { MetadataAlreadyExistsError, MetadataError, MetadataNotFoundError, parseInput, type EntityKind } from './errors.ts';
import type { MetadataStore } from './store.ts';
import {
  ArtifactQuerySchema, ArtifactUpdateSchema, ContextQuerySchema, ContextUpdateSchema, EXECUTION_KEYS, ExecutionQuerySchema,
  ExecutionUpdateSchema, IdSchema, LineageQuerySchema, MAX_PARENT_CONTEXTS, NewArtifactSchema, NewContextSchema, NewEventSchema,
  NewExecutionSchema,
  type Artifact, type ArtifactFilter, type ArtifactUpdate, type Context, type ContextFilter, type ContextUpdate, type Event,
  type Execution, type ExecutionFilter, type ExecutionUpdate, type JsonObject, type LineageQuery, type LineageSubgraph,
  type ListQuery, type MetadataMatch, type NewArtifact, type NewContext, type NewEvent, type NewExecution, type OrderBy,
} from './types.ts';

/** File name of the store in a pipeline root. */
export const METADATA_FILE_NAME = 'metadata.sqlite';

export interface SqliteStoreOptions {
  /** How long a writer waits for another connection's write to finish (default 10 s). */
  busyTimeoutMs?: number;
  /** Clock for create/update/event times, in ms since the epoch (tests pin it). */
  now?: () => number;
}

// MLMD's TypeKind numbering.
const TYPE_KIND = { execution: 0, artifact: 1, context: 2 } as const;

// Schema migrations, applied in order; the file records how many ran. Append, never edit.
const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE Type (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    type_kind INTEGER NOT NULL,
    UNIQUE (type_kind, name)
  );
  CREATE TABLE Artifact (
    id INTEGER PRIMARY KEY,
    type_id INTEGER NOT NULL REFERENCES Type (id),
    name TEXT,
    uri TEXT NOT NULL,
    state TEXT NOT NULL,
    metadata TEXT NOT NULL,
    labels TEXT,
    create_time_since_epoch INTEGER NOT NULL,
    last_update_time_since_epoch INTEGER NOT NULL
  );
  CREATE INDEX Artifact_uri ON Artifact (uri);
  CREATE INDEX Artifact_type_create_time ON Artifact (type_id, create_time_since_epoch);
  CREATE TABLE Execution (
    id INTEGER PRIMARY KEY,
    type_id INTEGER NOT NULL REFERENCES Type (id),
    name TEXT,
    state TEXT NOT NULL,
    metadata TEXT NOT NULL,
    create_time_since_epoch INTEGER NOT NULL,
    last_update_time_since_epoch INTEGER NOT NULL,
    -- The cache lookup filters on metadata.cache_key: a generated column makes it an index seek.
    cache_key TEXT GENERATED ALWAYS AS (json_extract(metadata, '$.${EXECUTION_KEYS.cacheKey}')) VIRTUAL
  );
  CREATE INDEX Execution_cache_key ON Execution (cache_key, create_time_since_epoch);
  CREATE INDEX Execution_type_create_time ON Execution (type_id, create_time_since_epoch);
  CREATE TABLE Context (
    id INTEGER PRIMARY KEY,
    type_id INTEGER NOT NULL REFERENCES Type (id),
    name TEXT NOT NULL,
    metadata TEXT NOT NULL,
    create_time_since_epoch INTEGER NOT NULL,
    last_update_time_since_epoch INTEGER NOT NULL,
    UNIQUE (type_id, name)
  );
  CREATE TABLE ParentContext (
    context_id INTEGER NOT NULL REFERENCES Context (id),
    parent_context_id INTEGER NOT NULL REFERENCES Context (id),
    PRIMARY KEY (context_id, parent_context_id)
  ) WITHOUT ROWID;
  CREATE INDEX ParentContext_parent ON ParentContext (parent_context_id);
  CREATE TABLE Attribution (
    context_id INTEGER NOT NULL REFERENCES Context (id),
    artifact_id INTEGER NOT NULL REFERENCES Artifact (id),
    PRIMARY KEY (context_id, artifact_id)
  ) WITHOUT ROWID;
  CREATE INDEX Attribution_artifact ON Attribution (artifact_id);
  CREATE TABLE Association (
    context_id INTEGER NOT NULL REFERENCES Context (id),
    execution_id INTEGER NOT NULL REFERENCES Execution (id),
    PRIMARY KEY (context_id, execution_id)
  ) WITHOUT ROWID;
  CREATE INDEX Association_execution ON Association (execution_id);
  CREATE TABLE Event (
    id INTEGER PRIMARY KEY,
    artifact_id INTEGER NOT NULL REFERENCES Artifact (id),
    execution_id INTEGER NOT NULL REFERENCES Execution (id),
    type TEXT NOT NULL,
    path TEXT NOT NULL,
    path_index INTEGER NOT NULL, -- -1: not part of a list (NULL would defeat the UNIQUE constraint)
    milliseconds_since_epoch INTEGER NOT NULL,
    UNIQUE (execution_id, type, path, path_index, artifact_id)
  );
  CREATE INDEX Event_artifact ON Event (artifact_id, type);
  `,
];

/** Schema version this code writes; a file with a newer one is refused rather than misread. */
export const SQLITE_SCHEMA_VERSION = MIGRATIONS.length;

interface ArtifactRow {
  id: number; type_name: string; name: string | null; uri: string; state: string; metadata: string; labels: string | null;
  create_time_since_epoch: number; last_update_time_since_epoch: number;
}
interface ExecutionRow {
  id: number; type_name: string; name: string | null; state: string; metadata: string;
  create_time_since_epoch: number; last_update_time_since_epoch: number;
}
interface ContextRow {
  id: number; type_name: string; name: string; metadata: string; parents: string;
  create_time_since_epoch: number; last_update_time_since_epoch: number;
}
interface EventRow {
  id: number; artifact_id: number; execution_id: number; type: string; path: string; path_index: number; milliseconds_since_epoch: number;
}

const SELECT_ARTIFACT = 'SELECT e.*, t.name AS type_name FROM Artifact e JOIN Type t ON t.id = e.type_id';
const SELECT_EXECUTION = 'SELECT e.*, t.name AS type_name FROM Execution e JOIN Type t ON t.id = e.type_id';
const SELECT_CONTEXT = `SELECT e.*, t.name AS type_name,
  (SELECT json_group_array(p.parent_context_id) FROM ParentContext p WHERE p.context_id = e.id) AS parents
  FROM Context e JOIN Type t ON t.id = e.type_id`;

/** Opens (creating and migrating when needed) the store at `path`; `:memory:` gives a private in-memory store. */
export async function openSqliteStore(path: string, options: SqliteStoreOptions = {}): Promise<SqliteMetadataStore> {
  return new SqliteMetadataStore(path, options);
}

export class SqliteMetadataStore implements MetadataStore {
  readonly path: string;
  readonly #db: DatabaseSync;
  readonly #now: () => number;
  readonly #statements = new Map<string, StatementSync>();
  // Types are never deleted, so their ids can be cached for the life of the connection.
  readonly #typeIds = new Map<string, number>();
  // The open transaction (see transaction()) and the async context that owns it: calls made from inside
  // `body` carry its token and run in it; any other call on this connection waits until it settles.
  readonly #owner = new AsyncLocalStorage<symbol>();
  #open: { token: symbol; settled: Promise<void> } | undefined;

  constructor(path: string, options: SqliteStoreOptions = {}) {
    this.path = path;
    this.#now = options.now ?? Date.now;
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    this.#db = new DatabaseSync(path);
    try {
      // busy_timeout first: switching to WAL and migrating may wait for another process.
      this.#db.exec(`PRAGMA busy_timeout = ${Math.max(0, Math.trunc(options.busyTimeoutMs ?? 10_000))}`);
      this.#db.exec('PRAGMA journal_mode = WAL');
      // With WAL, NORMAL syncs at checkpoints only: commits stay well under a millisecond and the file
      // stays consistent on power loss (the last commits may be lost, never half-written).
      this.#db.exec('PRAGMA synchronous = NORMAL');
      this.#db.exec('PRAGMA foreign_keys = ON');
      this.#migrate();
    } catch (err) {
      this.#db.close();
      throw err;
    }
  }

  // ---- transactions ----

  /**
   * Runs `body` in one write transaction: every write it makes through this store commits together, or none
   * does when it throws (the error is rethrown). Calls on this store from outside `body` wait until it
   * settles, so unrelated work never joins or sees it; a nested call joins the open transaction. The file's
   * write lock is held until `body` settles: keep it to store calls. Another connection to the same file in
   * this process must not write meanwhile (its wait would block the thread holding the lock).
   */
  async transaction<T>(body: () => Promise<T>): Promise<T> {
    if (this.#open && this.#owner.getStore() === this.#open.token) return body();
    // No await between the last check and taking the connection: a waiter could slip in.
    while (this.#blocked()) await this.#open!.settled;
    if (!this.#db.isOpen) throw new MetadataError(`metadata store ${this.path} is closed`);
    const token = Symbol('transaction');
    let settle!: () => void;
    this.#open = { token, settled: new Promise<void>((resolve) => (settle = resolve)) };
    try {
      this.#db.exec('BEGIN IMMEDIATE');
      try {
        const result = await this.#owner.run(token, body);
        this.#db.exec('COMMIT');
        return result;
      } catch (err) {
        if (this.#db.isTransaction) this.#rollback('ROLLBACK');
        throw err;
      }
    } finally {
      this.#open = undefined;
      settle();
    }
  }

  // ---- artifacts ----

  async createArtifact(artifact: NewArtifact): Promise<Artifact> {
    while (this.#blocked()) await this.#open!.settled;
    const a = parseInput(NewArtifactSchema, artifact, 'createArtifact');
    return this.#write(() => {
      const t = this.#now();
      const { lastInsertRowid } = this.#stmt(
        'INSERT INTO Artifact (type_id, name, uri, state, metadata, labels, create_time_since_epoch, last_update_time_since_epoch) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
      ).run(this.#typeId('artifact', a.type), a.name ?? null, a.uri, a.state, JSON.stringify(a.metadata), a.labels ? JSON.stringify(a.labels) : null, t, t);
      return this.#artifact(Number(lastInsertRowid))!;
    });
  }

  async getArtifact(id: string): Promise<Artifact | undefined> {
    while (this.#blocked()) await this.#open!.settled;
    const rowId = this.#rowId(id, 'getArtifact');
    return rowId === undefined ? undefined : this.#artifact(rowId);
  }

  async updateArtifact(id: string, update: ArtifactUpdate): Promise<Artifact> {
    while (this.#blocked()) await this.#open!.settled;
    const rowId = this.#rowId(id, 'updateArtifact');
    const u = parseInput(ArtifactUpdateSchema, update, 'updateArtifact');
    return this.#write(() => {
      const current = rowId === undefined ? undefined : this.#artifact(rowId);
      if (!current || rowId === undefined) throw new MetadataNotFoundError('artifact', id);
      const name = u.name ?? current.name;
      const labels = u.labels ?? current.labels;
      this.#stmt('UPDATE Artifact SET name = ?, uri = ?, state = ?, metadata = ?, labels = ?, last_update_time_since_epoch = ? WHERE id = ?').run(
        name ?? null, u.uri ?? current.uri, u.state ?? current.state, JSON.stringify({ ...current.metadata, ...u.metadata }),
        labels ? JSON.stringify(labels) : null, this.#now(), rowId,
      );
      return this.#artifact(rowId)!;
    });
  }

  async listArtifacts(query: ListQuery<ArtifactFilter> = {}): Promise<Artifact[]> {
    while (this.#blocked()) await this.#open!.settled;
    const q = parseInput(ArtifactQuerySchema, query, 'listArtifacts');
    const f = q.filter ?? {};
    const where = new Where();
    this.#typeClause(where, 'artifact', f.type);
    if (f.name !== undefined) where.add('e.name = ?', f.name);
    if (f.uri !== undefined) where.add('e.uri = ?', f.uri);
    if (f.state !== undefined) where.in('e.state', typeof f.state === 'string' ? [f.state] : f.state);
    if (f.contextId !== undefined) where.add('e.id IN (SELECT artifact_id FROM Attribution WHERE context_id = ?)', idParam(f.contextId));
    metadataClauses(where, f.metadata);
    if (f.createdAfter !== undefined) where.add('e.create_time_since_epoch > ?', Date.parse(f.createdAfter));
    return this.#list<ArtifactRow>(SELECT_ARTIFACT, where, q.orderBy, q.limit).map(toArtifact);
  }

  // ---- executions ----

  async createExecution(execution: NewExecution): Promise<Execution> {
    while (this.#blocked()) await this.#open!.settled;
    const e = parseInput(NewExecutionSchema, execution, 'createExecution');
    return this.#write(() => {
      const t = this.#now();
      const { lastInsertRowid } = this.#stmt(
        'INSERT INTO Execution (type_id, name, state, metadata, create_time_since_epoch, last_update_time_since_epoch) VALUES (?, ?, ?, ?, ?, ?)',
      ).run(this.#typeId('execution', e.type), e.name ?? null, e.state, JSON.stringify(e.metadata), t, t);
      return this.#execution(Number(lastInsertRowid))!;
    });
  }

  async getExecution(id: string): Promise<Execution | undefined> {
    while (this.#blocked()) await this.#open!.settled;
    const rowId = this.#rowId(id, 'getExecution');
    return rowId === undefined ? undefined : this.#execution(rowId);
  }

  async updateExecution(id: string, update: ExecutionUpdate): Promise<Execution> {
    while (this.#blocked()) await this.#open!.settled;
    const rowId = this.#rowId(id, 'updateExecution');
    const u = parseInput(ExecutionUpdateSchema, update, 'updateExecution');
    return this.#write(() => {
      const current = rowId === undefined ? undefined : this.#execution(rowId);
      if (!current || rowId === undefined) throw new MetadataNotFoundError('execution', id);
      const name = u.name ?? current.name;
      this.#stmt('UPDATE Execution SET name = ?, state = ?, metadata = ?, last_update_time_since_epoch = ? WHERE id = ?').run(
        name ?? null, u.state ?? current.state, JSON.stringify({ ...current.metadata, ...u.metadata }), this.#now(), rowId,
      );
      return this.#execution(rowId)!;
    });
  }

  async listExecutions(query: ListQuery<ExecutionFilter> = {}): Promise<Execution[]> {
    while (this.#blocked()) await this.#open!.settled;
    const q = parseInput(ExecutionQuerySchema, query, 'listExecutions');
    const f = q.filter ?? {};
    const where = new Where();
    this.#typeClause(where, 'execution', f.type);
    if (f.name !== undefined) where.add('e.name = ?', f.name);
    if (f.state !== undefined) where.in('e.state', typeof f.state === 'string' ? [f.state] : f.state);
    if (f.contextId !== undefined) where.add('e.id IN (SELECT execution_id FROM Association WHERE context_id = ?)', idParam(f.contextId));
    const cacheKey = f.metadata?.[EXECUTION_KEYS.cacheKey];
    if (typeof cacheKey === 'string') where.add('e.cache_key = ?', cacheKey);
    metadataClauses(where, f.metadata);
    if (f.createdAfter !== undefined) where.add('e.create_time_since_epoch > ?', Date.parse(f.createdAfter));
    return this.#list<ExecutionRow>(SELECT_EXECUTION, where, q.orderBy, q.limit).map(toExecution);
  }

  // ---- contexts ----

  async createContext(context: NewContext): Promise<Context> {
    while (this.#blocked()) await this.#open!.settled;
    const c = parseInput(NewContextSchema, context, 'createContext');
    return this.#write(() => {
      const typeId = this.#typeId('context', c.type);
      const existing = this.#contextIdByName(typeId, c.name);
      if (existing !== undefined) {
        throw new MetadataAlreadyExistsError(`context ${c.type} ${JSON.stringify(c.name)} already exists (id ${existing})`);
      }
      return this.#insertContext(typeId, c.name, c.metadata);
    });
  }

  async getOrCreateContext(context: NewContext): Promise<Context> {
    while (this.#blocked()) await this.#open!.settled;
    const c = parseInput(NewContextSchema, context, 'getOrCreateContext');
    // Most calls find the context: look without taking the write lock first.
    const found = this.#stmt(`${SELECT_CONTEXT} WHERE t.type_kind = ? AND t.name = ? AND e.name = ?`)
      .get(TYPE_KIND.context, c.type, c.name) as unknown as ContextRow | undefined;
    if (found) return toContext(found);
    return this.#write(() => {
      const id = this.#typeId('context', c.type);
      const existing = this.#contextIdByName(id, c.name);
      return existing !== undefined ? this.#context(existing)! : this.#insertContext(id, c.name, c.metadata);
    });
  }

  async getContext(id: string): Promise<Context | undefined> {
    while (this.#blocked()) await this.#open!.settled;
    const rowId = this.#rowId(id, 'getContext');
    return rowId === undefined ? undefined : this.#context(rowId);
  }

  async updateContext(id: string, update: ContextUpdate): Promise<Context> {
    while (this.#blocked()) await this.#open!.settled;
    const rowId = this.#rowId(id, 'updateContext');
    const u = parseInput(ContextUpdateSchema, update, 'updateContext');
    return this.#write(() => {
      const current = rowId === undefined ? undefined : this.#context(rowId);
      if (!current || rowId === undefined) throw new MetadataNotFoundError('context', id);
      this.#stmt('UPDATE Context SET metadata = ?, last_update_time_since_epoch = ? WHERE id = ?')
        .run(JSON.stringify({ ...current.metadata, ...u.metadata }), this.#now(), rowId);
      return this.#context(rowId)!;
    });
  }

  async listContexts(query: ListQuery<ContextFilter> = {}): Promise<Context[]> {
    while (this.#blocked()) await this.#open!.settled;
    const q = parseInput(ContextQuerySchema, query, 'listContexts');
    const f = q.filter ?? {};
    const where = new Where();
    this.#typeClause(where, 'context', f.type);
    if (f.name !== undefined) where.add('e.name = ?', f.name);
    if (f.parentContextId !== undefined) {
      where.add('e.id IN (SELECT context_id FROM ParentContext WHERE parent_context_id = ?)', idParam(f.parentContextId));
    }
    metadataClauses(where, f.metadata);
    if (f.createdAfter !== undefined) where.add('e.create_time_since_epoch > ?', Date.parse(f.createdAfter));
    return this.#list<ContextRow>(SELECT_CONTEXT, where, q.orderBy, q.limit).map(toContext);
  }

  async addContextChildren(contextId: string, childContextIds: string[]): Promise<void> {
    while (this.#blocked()) await this.#open!.settled;
    const parent = this.#rowId(contextId, 'addContextChildren');
    const children = parseInput(IdSchema.array(), childContextIds, 'addContextChildren', 'childContextIds');
    this.#write(() => {
      const parentId = this.#mustExist('Context', 'context', contextId, parent);
      for (const childId of children) {
        const child = this.#mustExist('Context', 'context', childId, this.#rowId(childId, 'addContextChildren'));
        if (child === parentId || this.#ancestors(parentId).has(child)) {
          throw new MetadataError(`addContextChildren: making context ${childId} a child of ${contextId} would create a cycle`);
        }
        const { changes } = this.#stmt('INSERT OR IGNORE INTO ParentContext (context_id, parent_context_id) VALUES (?, ?)').run(child, parentId);
        if (changes === 0) continue;
        const { n } = this.#stmt('SELECT count(*) AS n FROM ParentContext WHERE context_id = ?').get(child) as { n: number };
        if (n > MAX_PARENT_CONTEXTS) {
          throw new MetadataError(`addContextChildren: context ${childId} would have ${n} parents (at most ${MAX_PARENT_CONTEXTS})`);
        }
      }
    });
  }

  async addContextArtifactsAndExecutions(contextId: string, artifactIds: string[], executionIds: string[]): Promise<void> {
    while (this.#blocked()) await this.#open!.settled;
    const context = this.#rowId(contextId, 'addContextArtifactsAndExecutions');
    const artifacts = parseInput(IdSchema.array(), artifactIds, 'addContextArtifactsAndExecutions', 'artifactIds');
    const executions = parseInput(IdSchema.array(), executionIds, 'addContextArtifactsAndExecutions', 'executionIds');
    this.#write(() => {
      const ctx = this.#mustExist('Context', 'context', contextId, context);
      for (const id of artifacts) {
        const a = this.#mustExist('Artifact', 'artifact', id, this.#rowId(id, 'addContextArtifactsAndExecutions'));
        this.#stmt('INSERT OR IGNORE INTO Attribution (context_id, artifact_id) VALUES (?, ?)').run(ctx, a);
      }
      for (const id of executions) {
        const e = this.#mustExist('Execution', 'execution', id, this.#rowId(id, 'addContextArtifactsAndExecutions'));
        this.#stmt('INSERT OR IGNORE INTO Association (context_id, execution_id) VALUES (?, ?)').run(ctx, e);
      }
    });
  }

  // ---- events and lineage ----

  async addExecutionEvents(executionId: string, events: NewEvent[]): Promise<void> {
    while (this.#blocked()) await this.#open!.settled;
    const execution = this.#rowId(executionId, 'addExecutionEvents');
    const parsed = parseInput(NewEventSchema.array(), events, 'addExecutionEvents', 'events');
    this.#write(() => {
      const exec = this.#mustExist('Execution', 'execution', executionId, execution);
      const t = this.#now();
      for (const e of parsed) {
        const artifact = this.#mustExist('Artifact', 'artifact', e.artifactId, this.#rowId(e.artifactId, 'addExecutionEvents'));
        this.#stmt(
          'INSERT OR IGNORE INTO Event (artifact_id, execution_id, type, path, path_index, milliseconds_since_epoch) VALUES (?, ?, ?, ?, ?, ?)',
        ).run(artifact, exec, e.type, e.path, e.index ?? -1, t);
      }
    });
  }

  async queryArtifactLineageSubgraph(artifactId: string, query: LineageQuery = {}): Promise<LineageSubgraph> {
    while (this.#blocked()) await this.#open!.settled;
    const start = this.#rowId(artifactId, 'queryArtifactLineageSubgraph');
    const q = parseInput(LineageQuerySchema, query, 'queryArtifactLineageSubgraph');
    const direction = q.direction ?? 'both';
    const maxHops = q.maxHops ?? Number.POSITIVE_INFINITY;
    // One read transaction: a consistent snapshot while concurrent runs keep writing.
    return this.#read(() => {
      const root = this.#mustExist('Artifact', 'artifact', artifactId, start);
      const acc: Traversal = { artifacts: new Set([root]), executions: new Set(), events: new Map() };
      if (direction !== 'downstream') this.#walk(root, 'upstream', maxHops, acc);
      if (direction !== 'upstream') this.#walk(root, 'downstream', maxHops, acc);
      return this.#subgraph(acc);
    });
  }

  async queryExecutionInputsAndOutputs(executionId: string): Promise<LineageSubgraph> {
    while (this.#blocked()) await this.#open!.settled;
    const rowId = this.#rowId(executionId, 'queryExecutionInputsAndOutputs');
    return this.#read(() => {
      const exec = this.#mustExist('Execution', 'execution', executionId, rowId);
      const rows = this.#stmt('SELECT * FROM Event WHERE execution_id = ? ORDER BY id').all(exec) as unknown as EventRow[];
      return this.#subgraph({
        artifacts: new Set(rows.map((r) => r.artifact_id)),
        executions: new Set([exec]),
        events: new Map(rows.map((r) => [r.id, r])),
      });
    });
  }

  async close(): Promise<void> {
    while (this.#blocked()) await this.#open!.settled;
    if (!this.#db.isOpen) return;
    this.#db.exec('PRAGMA optimize');
    this.#db.close();
  }

  // ---- internals ----

  #migrate(): void {
    const current = (): number => {
      const table = this.#db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'SchemaVersion'").get();
      if (!table) return 0;
      const row = this.#db.prepare('SELECT version FROM SchemaVersion').get() as { version: number } | undefined;
      return row?.version ?? 0;
    };
    const check = (v: number) => {
      if (v > SQLITE_SCHEMA_VERSION) {
        throw new MetadataError(`${this.path}: metadata schema version ${v} is newer than this @formalize/common/metadata supports (${SQLITE_SCHEMA_VERSION}); upgrade it`);
      }
    };
    const seen = current();
    check(seen);
    if (seen === SQLITE_SCHEMA_VERSION) return;
    this.#write(() => {
      // Re-read under the write lock: another process may have migrated meanwhile.
      const v = current();
      check(v);
      this.#db.exec('CREATE TABLE IF NOT EXISTS SchemaVersion (version INTEGER NOT NULL)');
      for (const sql of MIGRATIONS.slice(v)) this.#db.exec(sql);
      this.#db.exec('DELETE FROM SchemaVersion');
      this.#db.prepare('INSERT INTO SchemaVersion (version) VALUES (?)').run(SQLITE_SCHEMA_VERSION);
    });
  }

  #write<T>(body: () => T): T {
    return this.#transaction('BEGIN IMMEDIATE', body);
  }

  #read<T>(body: () => T): T {
    return this.#transaction('BEGIN', body);
  }

  /** Whether another async context's transaction holds the connection (callers wait for it to settle). */
  #blocked(): boolean {
    return this.#open !== undefined && this.#owner.getStore() !== this.#open.token;
  }

  // A rollback can undo a type row this connection inserted and cached: forget the cache.
  #rollback(statement: string): void {
    this.#db.exec(statement);
    this.#typeIds.clear();
  }

  #transaction<T>(begin: string, body: () => T): T {
    if (!this.#db.isOpen) throw new MetadataError(`metadata store ${this.path} is closed`);
    // Inside transaction(): a savepoint, so a failed call undoes only its own writes.
    if (this.#open) return this.#savepoint(body);
    this.#db.exec(begin);
    try {
      const result = body();
      this.#db.exec('COMMIT');
      return result;
    } catch (err) {
      if (this.#db.isTransaction) this.#rollback('ROLLBACK');
      throw err;
    }
  }

  #savepoint<T>(body: () => T): T {
    this.#db.exec('SAVEPOINT store_call');
    try {
      const result = body();
      this.#db.exec('RELEASE store_call');
      return result;
    } catch (err) {
      this.#rollback('ROLLBACK TO store_call');
      this.#db.exec('RELEASE store_call');
      throw err;
    }
  }

  #stmt(sql: string): StatementSync {
    if (!this.#db.isOpen) throw new MetadataError(`metadata store ${this.path} is closed`);
    let s = this.#statements.get(sql);
    if (!s) {
      s = this.#db.prepare(sql);
      this.#statements.set(sql, s);
    }
    return s;
  }

  /** Local ids are row ids; any other string names nothing here (undefined), but must be a string. */
  #rowId(id: string, what: string): number | undefined {
    const valid = parseInput(IdSchema, id, what, 'id');
    return /^[1-9]\d{0,15}$/.test(valid) ? Number(valid) : undefined;
  }

  #mustExist(table: 'Artifact' | 'Execution' | 'Context', kind: EntityKind, id: string, rowId: number | undefined): number {
    if (rowId === undefined || !this.#stmt(`SELECT 1 FROM ${table} WHERE id = ?`).get(rowId)) throw new MetadataNotFoundError(kind, id);
    return rowId;
  }

  /** Id of a type, created on first use; call inside a write transaction. */
  #typeId(kind: keyof typeof TYPE_KIND, name: string): number {
    const key = `${TYPE_KIND[kind]}:${name}`;
    const cached = this.#typeIds.get(key);
    if (cached !== undefined) return cached;
    this.#stmt('INSERT INTO Type (name, type_kind) VALUES (?, ?) ON CONFLICT DO NOTHING').run(name, TYPE_KIND[kind]);
    const { id } = this.#stmt('SELECT id FROM Type WHERE type_kind = ? AND name = ?').get(TYPE_KIND[kind], name) as { id: number };
    this.#typeIds.set(key, id);
    return id;
  }

  #typeClause(where: Where, kind: keyof typeof TYPE_KIND, type: string | undefined): void {
    if (type !== undefined) where.add('e.type_id = (SELECT id FROM Type WHERE type_kind = ? AND name = ?)', TYPE_KIND[kind], type);
  }

  #list<R>(select: string, where: Where, orderBy: OrderBy | undefined, limit: number | undefined): R[] {
    const dir = orderBy === 'createTime desc' ? 'DESC' : 'ASC';
    const sql = `${select}${where.sql()} ORDER BY e.create_time_since_epoch ${dir}, e.id ${dir}${limit ? ' LIMIT ?' : ''}`;
    return this.#stmt(sql).all(...where.params, ...(limit ? [limit] : [])) as unknown as R[];
  }

  #artifact(id: number): Artifact | undefined {
    const row = this.#stmt(`${SELECT_ARTIFACT} WHERE e.id = ?`).get(id) as unknown as ArtifactRow | undefined;
    return row && toArtifact(row);
  }

  #execution(id: number): Execution | undefined {
    const row = this.#stmt(`${SELECT_EXECUTION} WHERE e.id = ?`).get(id) as unknown as ExecutionRow | undefined;
    return row && toExecution(row);
  }

  #context(id: number): Context | undefined {
    const row = this.#stmt(`${SELECT_CONTEXT} WHERE e.id = ?`).get(id) as unknown as ContextRow | undefined;
    return row && toContext(row);
  }

  #contextIdByName(typeId: number, name: string): number | undefined {
    const row = this.#stmt('SELECT id FROM Context WHERE type_id = ? AND name = ?').get(typeId, name) as { id: number } | undefined;
    return row?.id;
  }

  #insertContext(typeId: number, name: string, metadata: JsonObject): Context {
    const t = this.#now();
    const { lastInsertRowid } = this.#stmt(
      'INSERT INTO Context (type_id, name, metadata, create_time_since_epoch, last_update_time_since_epoch) VALUES (?, ?, ?, ?, ?)',
    ).run(typeId, name, JSON.stringify(metadata), t, t);
    return this.#context(Number(lastInsertRowid))!;
  }

  #ancestors(contextId: number): Set<number> {
    const rows = this.#stmt(`WITH RECURSIVE up(id) AS (
        SELECT parent_context_id FROM ParentContext WHERE context_id = ?
        UNION SELECT p.parent_context_id FROM ParentContext p JOIN up ON p.context_id = up.id)
      SELECT id FROM up`).all(contextId) as { id: number }[];
    return new Set(rows.map((r) => r.id));
  }

  // Breadth-first along event edges; each edge is one hop. Upstream: an artifact's OUTPUT events lead to
  // its producer, an execution's INPUT events to what it read. Downstream: the reverse.
  #walk(root: number, direction: 'upstream' | 'downstream', maxHops: number, acc: Traversal): void {
    const fromArtifact = direction === 'upstream' ? 'OUTPUT' : 'INPUT';
    const fromExecution = direction === 'upstream' ? 'INPUT' : 'OUTPUT';
    const seenArtifacts = new Set([root]);
    const seenExecutions = new Set<number>();
    let frontier = [root];
    let atArtifacts = true;
    for (let hop = 0; frontier.length > 0 && hop < maxHops; hop++) {
      const next: number[] = [];
      for (const id of frontier) {
        const rows = (atArtifacts
          ? this.#stmt('SELECT * FROM Event WHERE artifact_id = ? AND type = ? ORDER BY id').all(id, fromArtifact)
          : this.#stmt('SELECT * FROM Event WHERE execution_id = ? AND type = ? ORDER BY id').all(id, fromExecution)) as unknown as EventRow[];
        for (const r of rows) {
          acc.events.set(r.id, r);
          const [other, seen, into] = atArtifacts
            ? [r.execution_id, seenExecutions, acc.executions]
            : [r.artifact_id, seenArtifacts, acc.artifacts];
          if (seen.has(other)) continue;
          seen.add(other);
          into.add(other);
          next.push(other);
        }
      }
      frontier = next;
      atArtifacts = !atArtifacts;
    }
  }

  #subgraph(acc: Traversal): LineageSubgraph {
    const ids = (s: Set<number>) => JSON.stringify([...s]);
    const artifacts = (this.#stmt(`${SELECT_ARTIFACT} WHERE e.id IN (SELECT value FROM json_each(?)) ORDER BY e.id`)
      .all(ids(acc.artifacts)) as unknown as ArtifactRow[]).map(toArtifact);
    const executions = (this.#stmt(`${SELECT_EXECUTION} WHERE e.id IN (SELECT value FROM json_each(?)) ORDER BY e.id`)
      .all(ids(acc.executions)) as unknown as ExecutionRow[]).map(toExecution);
    const events = [...acc.events.values()].sort((a, b) => a.id - b.id).map(toEvent);
    return { artifacts, executions, events };
  }
}

interface Traversal {
  artifacts: Set<number>;
  executions: Set<number>;
  events: Map<number, EventRow>;
}

/** AND-ed WHERE clauses with their parameters. */
class Where {
  readonly clauses: string[] = [];
  readonly params: SQLInputValue[] = [];

  add(clause: string, ...params: SQLInputValue[]): void {
    this.clauses.push(clause);
    this.params.push(...params);
  }

  in(column: string, values: readonly string[]): void {
    this.add(`${column} IN (${values.map(() => '?').join(', ')})`, ...values);
  }

  sql(): string {
    return this.clauses.length ? ` WHERE ${this.clauses.join(' AND ')}` : '';
  }
}

// Equality with the JSON type checked too, so `true` does not match 1 and "1" does not match 1.
function metadataClauses(where: Where, match: MetadataMatch | undefined): void {
  for (const [key, value] of Object.entries(match ?? {})) {
    const path = `$."${key}"`;
    if (typeof value === 'boolean') where.add('json_type(e.metadata, ?) = ?', path, value ? 'true' : 'false');
    else if (typeof value === 'number') where.add("json_type(e.metadata, ?) IN ('integer', 'real') AND json_extract(e.metadata, ?) = ?", path, path, value);
    else where.add("json_type(e.metadata, ?) = 'text' AND json_extract(e.metadata, ?) = ?", path, path, value);
  }
}

/** A filter id that is not a local row id matches nothing (-1 is never a row id). */
function idParam(id: string): number {
  return /^[1-9]\d{0,15}$/.test(id) ? Number(id) : -1;
}

const iso = (ms: number) => new Date(ms).toISOString();

function toArtifact(r: ArtifactRow): Artifact {
  return {
    id: String(r.id),
    ...(r.name !== null ? { name: r.name } : {}),
    type: r.type_name,
    uri: r.uri,
    state: r.state as Artifact['state'],
    metadata: JSON.parse(r.metadata) as JsonObject,
    ...(r.labels !== null ? { labels: JSON.parse(r.labels) as Record<string, string> } : {}),
    createTime: iso(r.create_time_since_epoch),
    updateTime: iso(r.last_update_time_since_epoch),
  };
}

function toExecution(r: ExecutionRow): Execution {
  return {
    id: String(r.id),
    ...(r.name !== null ? { name: r.name } : {}),
    type: r.type_name,
    state: r.state as Execution['state'],
    metadata: JSON.parse(r.metadata) as JsonObject,
    createTime: iso(r.create_time_since_epoch),
    updateTime: iso(r.last_update_time_since_epoch),
  };
}

function toContext(r: ContextRow): Context {
  return {
    id: String(r.id),
    name: r.name,
    type: r.type_name,
    metadata: JSON.parse(r.metadata) as JsonObject,
    parentContextIds: (JSON.parse(r.parents) as number[]).sort((a, b) => a - b).map(String),
    createTime: iso(r.create_time_since_epoch),
    updateTime: iso(r.last_update_time_since_epoch),
  };
}

function toEvent(r: EventRow): Event {
  return {
    artifactId: String(r.artifact_id),
    executionId: String(r.execution_id),
    type: r.type as Event['type'],
    path: r.path,
    ...(r.path_index >= 0 ? { index: r.path_index } : {}),
    time: iso(r.milliseconds_since_epoch),
  };
}

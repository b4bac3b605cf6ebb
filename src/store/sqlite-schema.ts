import type Database from 'better-sqlite3';
import { FINAL_STATES } from '../task/index.js';

/** The final states as an SQL list of literals (fixed names from the task model, never input). */
export const FINALS_SQL = FINAL_STATES.map((state) => `'${state}'`).join(', ');

/**
 * Schema steps, applied in order; `PRAGMA user_version` records how many have run. Never edit a
 * step that has shipped: append a new one (e.g. `ALTER TABLE tasks ADD COLUMN …`).
 *
 * Each record is kept whole as JSON in `body`; the other columns are copies used to find rows.
 */
export const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE tasks (
    id TEXT PRIMARY KEY,
    surface TEXT NOT NULL,
    channel TEXT NOT NULL,
    thread TEXT,
    state TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    body TEXT NOT NULL
  );
  CREATE INDEX tasks_by_channel ON tasks (channel, created_at DESC, id DESC);
  CREATE INDEX tasks_by_created ON tasks (created_at DESC, id DESC);

  -- Rows change only when a task's threads do (diffed against the previous record), so no
  -- index by task: a write that keeps its threads touches no page here.
  CREATE TABLE task_threads (
    surface TEXT NOT NULL,
    thread TEXT NOT NULL,
    task_id TEXT NOT NULL,
    PRIMARY KEY (surface, thread, task_id)
  ) WITHOUT ROWID;

  CREATE TABLE pending (
    id TEXT PRIMARY KEY,
    expires_at INTEGER NOT NULL,
    body TEXT NOT NULL
  );

  CREATE TABLE questions (
    task_id TEXT NOT NULL,
    seq TEXT NOT NULL,
    asked_at INTEGER NOT NULL,
    body TEXT NOT NULL,
    answer TEXT,
    answered_at INTEGER,
    PRIMARY KEY (task_id, seq)
  );
  CREATE INDEX questions_open ON questions (asked_at) WHERE answer IS NULL;

  CREATE TABLE user_defaults (
    user TEXT PRIMARY KEY,
    model TEXT NOT NULL
  );

  CREATE TABLE deliveries (
    key TEXT PRIMARY KEY,
    expires_at INTEGER NOT NULL
  );
  CREATE INDEX deliveries_by_expiry ON deliveries (expires_at);
  `,
  `
  CREATE TABLE requests (
    id TEXT PRIMARY KEY,
    accepted_at INTEGER NOT NULL,
    body TEXT NOT NULL
  );
  `,
  // Active tasks are few however many have finished: `status` and start-up recovery find them
  // through these without reading the finished ones.
  `
  CREATE INDEX tasks_active ON tasks (created_at DESC, id DESC) WHERE state NOT IN (${FINALS_SQL});
  CREATE INDEX tasks_active_by_channel ON tasks (channel, created_at DESC, id DESC) WHERE state NOT IN (${FINALS_SQL});
  `,
  // Counting a channel's finished tasks (`status`) reads this index alone, never a record.
  `
  CREATE INDEX tasks_by_channel_state ON tasks (channel, surface, state);
  `,
];

/** Bring the file up to the newest schema; refuse a file written by a newer build. */
export function migrate(db: Database.Database, file: string): void {
  // Each step re-reads the version under the write lock: two processes opening one new file at
  // once must not both run the same step.
  const step = db.transaction((index: number, sql: string) => {
    const version = schemaVersion(db, file);
    if (version > index) return;
    db.exec(sql);
    db.pragma(`user_version = ${index + 1}`);
  });
  if (schemaVersion(db, file) === MIGRATIONS.length) return;
  MIGRATIONS.forEach((sql, index) => step.immediate(index, sql));
}

function schemaVersion(db: Database.Database, file: string): number {
  const version = db.pragma('user_version', { simple: true });
  if (typeof version !== 'number') throw new Error(`${file}: cannot read the schema version`);
  if (version > MIGRATIONS.length) {
    throw new Error(
      `${file} has schema version ${version}, newer than this dispatch-bot knows (${MIGRATIONS.length}); upgrade dispatch-bot`,
    );
  }
  return version;
}

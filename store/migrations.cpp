#include "store/migrations.hpp"

namespace store {

namespace {
// Append only: a migration that shipped is never edited (its text is what
// every existing database ran).
constexpr std::string_view kMigrations[] = {
    // v1: key/value metadata (our card under 'card:self', settings).
    R"sql(
CREATE TABLE meta (
  key   TEXT PRIMARY KEY NOT NULL,
  value BLOB NOT NULL
) WITHOUT ROWID;
)sql",
    // v2: the A2A engine (issue 5). Times are unix nanoseconds. Protobuf
    // values are stored as their encoding. Rowid tables wherever a row can
    // hold a large blob (sqlite keeps WITHOUT ROWID for small rows).
    R"sql(
CREATE TABLE tasks (
  task_id            TEXT PRIMARY KEY NOT NULL,
  context_id         TEXT NOT NULL DEFAULT '',
  status             INTEGER NOT NULL,
  target_skill_id    TEXT NOT NULL DEFAULT '',
  originator_peer_id TEXT NOT NULL,
  remote_peer_id     TEXT NOT NULL DEFAULT '',
  created_at         INTEGER NOT NULL,
  updated_at         INTEGER NOT NULL,
  dispatched         INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX tasks_undispatched ON tasks(created_at) WHERE dispatched = 0;
CREATE TABLE task_items (
  id      INTEGER PRIMARY KEY,
  task_id TEXT NOT NULL REFERENCES tasks(task_id) ON DELETE CASCADE,
  kind    INTEGER NOT NULL,
  body    BLOB NOT NULL
);
CREATE INDEX task_items_task ON task_items(task_id, id);
CREATE TABLE peer_cards (
  peer_id    TEXT PRIMARY KEY NOT NULL,
  card       BLOB NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX peer_cards_updated ON peer_cards(updated_at);
CREATE TABLE offline_queue (
  id          INTEGER PRIMARY KEY,
  peer_id     TEXT NOT NULL,
  envelope_id TEXT NOT NULL UNIQUE,
  enqueued_at INTEGER NOT NULL,
  envelope    BLOB NOT NULL
);
CREATE INDEX offline_queue_peer ON offline_queue(peer_id, id);
CREATE TABLE peer_book (
  peer_id   TEXT PRIMARY KEY NOT NULL,
  addrs     BLOB NOT NULL,
  last_seen INTEGER NOT NULL
);
CREATE INDEX peer_book_seen ON peer_book(last_seen);
CREATE TABLE seen_envelopes (
  id          INTEGER PRIMARY KEY,
  peer_id     TEXT NOT NULL,
  envelope_id TEXT NOT NULL,
  UNIQUE (peer_id, envelope_id)
);
)sql",
    // v3: offline_queue_peer served no query (the engine keeps the per-peer
    // order in memory and reads rows by envelope_id); it cost one page write
    // per queued and per acknowledged envelope on the task path.
    R"sql(
DROP INDEX offline_queue_peer;
)sql",
    // v4: no UNIQUE index on offline_queue.envelope_id nor on
    // seen_envelopes(peer_id, envelope_id): each was a second b-tree written
    // for every envelope sent (insert + delete) and received. The engine
    // addresses queued rows by their rowid (the seq it keeps in memory) and
    // filters duplicates with its in-memory window before it records one.
    R"sql(
CREATE TABLE offline_queue_v4 (
  id          INTEGER PRIMARY KEY,
  peer_id     TEXT NOT NULL,
  envelope_id TEXT NOT NULL,
  enqueued_at INTEGER NOT NULL,
  envelope    BLOB NOT NULL
);
INSERT INTO offline_queue_v4(id, peer_id, envelope_id, enqueued_at, envelope)
  SELECT id, peer_id, envelope_id, enqueued_at, envelope FROM offline_queue;
DROP TABLE offline_queue;
ALTER TABLE offline_queue_v4 RENAME TO offline_queue;
CREATE TABLE seen_envelopes_v4 (
  id          INTEGER PRIMARY KEY,
  peer_id     TEXT NOT NULL,
  envelope_id TEXT NOT NULL
);
INSERT INTO seen_envelopes_v4(id, peer_id, envelope_id) SELECT id, peer_id, envelope_id FROM seen_envelopes;
DROP TABLE seen_envelopes;
ALTER TABLE seen_envelopes_v4 RENAME TO seen_envelopes;
)sql",
};
}  // namespace

std::span<const std::string_view> migrations() { return kMigrations; }

}  // namespace store

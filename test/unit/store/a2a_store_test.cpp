// The A2A tables (migration v2) and their DAOs.
#include <doctest/doctest.h>
#include <sqlite3.h>

#include <chrono>
#include <cstdlib>
#include <string>

#include "store/a2a_store.hpp"
#include "store/migrations.hpp"
#include "store/store_limits.hpp"

using namespace store;

namespace {
std::string temp_dir() {
  char tmpl[] = "/tmp/aac-a2astore-XXXXXX";
  REQUIRE(mkdtemp(tmpl) != nullptr);
  return tmpl;
}

struct Fixture {
  std::string dir = temp_dir();
  std::unique_ptr<Database> db;
  std::unique_ptr<A2aStore> st;
  Fixture() { open(); }
  void open() {
    st.reset();
    db.reset();
    auto d = Database::open(dir);
    REQUIRE_MESSAGE(d, d.what());
    db = d.take();
    auto s = A2aStore::open(*db);
    REQUIRE_MESSAGE(s, s.what());
    st = s.take();
  }
  void commit() { REQUIRE(st->batch.commit()); }
};

TaskRow row(std::string id, int32_t status = 1) {
  return TaskRow{std::move(id), "ctx", status, "skill", "local", "12D3KooWPeer", 100, 200, false};
}
}  // namespace

TEST_CASE("store: migration v2 applies on top of a v1 database and keeps its data") {
  std::string dir = temp_dir();
  {
    // A v1 database as the previous binary left it.
    sqlite3* h = nullptr;
    REQUIRE(sqlite3_open((dir + "/agentanycast.db").c_str(), &h) == SQLITE_OK);
    std::string v1(migrations()[0]);
    REQUIRE(sqlite3_exec(h, v1.c_str(), nullptr, nullptr, nullptr) == SQLITE_OK);
    REQUIRE(sqlite3_exec(h, "INSERT INTO meta(key, value) VALUES ('card:self', x'0a0141'); PRAGMA user_version=1",
                         nullptr, nullptr, nullptr) == SQLITE_OK);
    sqlite3_close(h);
  }
  auto db = Database::open(dir);
  REQUIRE_MESSAGE(db, db.what());
  CHECK((*db)->schema_version() == 4);
  CHECK(latest_schema_version() == 4);
  auto st = A2aStore::open(**db);
  REQUIRE(st);
  auto self = (*st)->cards->self();
  REQUIRE(self);
  REQUIRE(self->has_value());
  CHECK(**self == net::Bytes{0x0a, 0x01, 0x41});
  auto ic = (*db)->integrity_check();
  REQUIRE(ic);
  CHECK(*ic == "ok");
}

TEST_CASE("store: migration v4 keeps queued envelopes and seen ids of a v3 database") {
  std::string dir = temp_dir();
  {
    // A v3 database as the previous binary left it: two queued envelopes,
    // two seen ids.
    sqlite3* h = nullptr;
    REQUIRE(sqlite3_open((dir + "/agentanycast.db").c_str(), &h) == SQLITE_OK);
    for (size_t v = 0; v < 3; ++v) {
      std::string sql(migrations()[v]);
      REQUIRE(sqlite3_exec(h, sql.c_str(), nullptr, nullptr, nullptr) == SQLITE_OK);
    }
    REQUIRE(sqlite3_exec(h,
                         "INSERT INTO offline_queue(id, peer_id, envelope_id, enqueued_at, envelope) VALUES "
                         "(7, 'pA', 'e7', 100, x'0102'), (9, 'pB', 'e9', 200, x'03');"
                         "INSERT INTO seen_envelopes(peer_id, envelope_id) VALUES ('pA', 's1'), ('pB', 's2');"
                         "PRAGMA user_version=3",
                         nullptr, nullptr, nullptr) == SQLITE_OK);
    sqlite3_close(h);
  }
  auto db = Database::open(dir);
  REQUIRE_MESSAGE(db, db.what());
  CHECK((*db)->schema_version() == 4);
  auto st = A2aStore::open(**db);
  REQUIRE(st);
  auto& q = *(*st)->queue;
  auto rows = q.list();
  REQUIRE(rows);
  REQUIRE(rows->size() == 2);
  CHECK((*rows)[0] == QueuedEnvelope{7, "pA", "e7", 100, 2});
  CHECK((*rows)[1] == QueuedEnvelope{9, "pB", "e9", 200, 1});
  CHECK(**q.load(7) == net::Bytes{1, 2});
  // New rows come after the old ones (the seq order is the FIFO order).
  auto s = q.insert("pA", "e10", 300, net::Bytes{4});
  REQUIRE(s);
  CHECK(*s > 9);
  auto seen = (*st)->dedup->recent(10);
  REQUIRE(seen);
  REQUIRE(seen->size() == 2);
  CHECK((*seen)[1] == std::make_pair(std::string("pB"), std::string("s2")));
  REQUIRE((*st)->batch.commit());
  auto ic = (*db)->integrity_check();
  REQUIRE(ic);
  CHECK(*ic == "ok");
}

TEST_CASE("store: tasks: insert, find, status, items in order, undispatched, duplicates refused") {
  Fixture f;
  auto& t = *f.st->tasks;
  REQUIRE(t.insert(row("t1")));
  TaskRow r2 = row("t2");
  r2.dispatched = true;
  r2.created_at_ns = 50;
  REQUIRE(t.insert(r2));
  auto dup = t.insert(row("t1"));
  REQUIRE_FALSE(dup);
  CHECK(dup.err() == net::Err::invalid);
  CHECK(dup.what() == "store: UNIQUE constraint failed: tasks.task_id");

  auto got = t.find("t1");
  REQUIRE(got);
  REQUIRE(got->has_value());
  CHECK(**got == row("t1"));
  auto none = t.find("nope");
  REQUIRE(none);
  CHECK_FALSE(none->has_value());

  REQUIRE(t.set_status("t1", 4, 300));
  got = t.find("t1");
  CHECK((*got)->status == 4);
  CHECK((*got)->updated_at_ns == 300);
  auto missing = t.set_status("nope", 4, 1);
  CHECK(missing.err() == net::Err::not_found);
  CHECK(missing.what() == "store: no task nope");

  REQUIRE(t.add_item("t1", ItemKind::message, net::Bytes{1}));
  REQUIRE(t.add_item("t1", ItemKind::artifact, net::Bytes{2, 2}));
  REQUIRE(t.add_item("t1", ItemKind::message, net::Bytes{}));
  auto items = t.items("t1");
  REQUIRE(items);
  REQUIRE(items->size() == 3);
  CHECK((*items)[0].kind == ItemKind::message);
  CHECK((*items)[0].body == net::Bytes{1});
  CHECK((*items)[1].kind == ItemKind::artifact);
  CHECK((*items)[1].body == net::Bytes{2, 2});
  CHECK((*items)[2].body.empty());
  auto len = t.items_len("t1");
  REQUIRE(len);
  CHECK(*len == 3);

  auto und = t.undispatched(10);
  REQUIRE(und);
  CHECK(*und == std::vector<std::string>{"t1"});
  REQUIRE(t.set_dispatched("t1"));
  und = t.undispatched(10);
  CHECK(und->empty());
  auto n = t.count();
  REQUIRE(n);
  CHECK(*n == 2);
  f.commit();
  // Survives a reopen.
  f.open();
  got = f.st->tasks->find("t1");
  REQUIRE(got->has_value());
  CHECK((*got)->dispatched);
  CHECK(f.st->tasks->items("t1")->size() == 3);
}

TEST_CASE("store: the batch groups writes in one transaction; rollback forgets them") {
  Fixture f;
  CHECK_FALSE(f.st->batch.open());
  REQUIRE(f.st->tasks->insert(row("a")));
  CHECK(f.st->batch.open());
  REQUIRE(f.st->tasks->insert(row("b")));
  CHECK(f.st->batch.writes() == 2);
  f.st->batch.rollback();
  CHECK(f.st->batch.rollbacks() == 1);
  CHECK_FALSE(f.st->tasks->find("a")->has_value());
  REQUIRE(f.st->tasks->insert(row("c")));
  f.commit();
  CHECK(f.st->batch.commits() == 1);
  CHECK_FALSE(f.st->batch.open());
  REQUIRE(f.st->batch.commit());  // nothing open: no-op
  CHECK(f.st->batch.commits() == 1);
  f.open();
  CHECK(f.st->tasks->find("c")->has_value());
}

TEST_CASE("store: the task-row cache agrees with the table through updates, items and rollbacks") {
  Fixture f;
  auto& t = *f.st->tasks;
  REQUIRE(t.insert(row("a", 1)));
  f.commit();
  // A committed status change is seen from the cache and from disk.
  REQUIRE(t.set_status("a", 3, 300));
  CHECK((*t.find("a"))->status == 3);
  f.commit();
  // A status change rolled back: the cached row must not keep it.
  REQUIRE(t.set_status("a", 5, 400));
  CHECK((*t.find("a"))->status == 5);
  f.st->batch.rollback();
  CHECK((*t.find("a"))->status == 3);
  CHECK((*t.find("a"))->updated_at_ns == 300);
  // Items length counted from zero for a new task, then from the table.
  TaskRow incoming = row("b");  // a task another peer sent us
  incoming.originator_peer_id = "12D3KooWOther";
  incoming.remote_peer_id = "";
  REQUIRE(t.insert(incoming));
  CHECK(*t.items_len("b") == 0);
  REQUIRE(t.add_item("b", ItemKind::message, net::Bytes(10, 1)));
  REQUIRE(t.add_item("b", ItemKind::artifact, net::Bytes(7, 2)));
  CHECK(*t.items_len("b") == 17);
  f.commit();
  REQUIRE(t.add_item("b", ItemKind::artifact, net::Bytes(5, 3)));
  CHECK(*t.items_len("b") == 22);
  f.st->batch.rollback();
  CHECK(*t.items_len("b") == 17);
  // A bulk UPDATE behind the rows: redispatch clears what was cached.
  REQUIRE(t.set_dispatched("b"));
  f.commit();
  CHECK((*t.find("b"))->dispatched);
  REQUIRE(*t.redispatch_unstarted(1, "12D3KooWSelf") == 1);
  CHECK_FALSE((*t.find("b"))->dispatched);
  f.commit();
  // More rows than the cache holds: every one still found, right status.
  for (size_t i = 0; i < kTaskRowCacheEntries + 10; ++i) {
    REQUIRE(t.insert(row("n" + std::to_string(i), 1)));
    if (i % 3 == 0) REQUIRE(t.set_status("n" + std::to_string(i), 2, 500));
  }
  f.commit();
  for (size_t i = 0; i < kTaskRowCacheEntries + 10; ++i) {
    auto got = t.find("n" + std::to_string(i));
    REQUIRE(got->has_value());
    CHECK((*got)->status == (i % 3 == 0 ? 2 : 1));
  }
  // What the cache says is what a fresh process reads.
  auto a = *t.find("a");
  auto b = *t.find("b");
  f.open();
  CHECK(*f.st->tasks->find("a") == a);
  CHECK(*f.st->tasks->find("b") == b);
  CHECK(*f.st->tasks->items_len("b") == 17);
}

TEST_CASE("store: cards: ours under card:self, peers' bounded (the oldest is forgotten past the limit)") {
  Fixture f;
  auto& c = *f.st->cards;
  auto none = c.self();
  REQUIRE(none);
  CHECK_FALSE(none->has_value());
  REQUIRE(c.put_self(net::Bytes{7}));
  REQUIRE(c.put_self(net::Bytes{8}));
  CHECK(**c.self() == net::Bytes{8});
  c.set_max_peers(3);
  REQUIRE(c.put_peer("p1", net::Bytes{1}, 10));
  REQUIRE(c.put_peer("p2", net::Bytes{2}, 20));
  REQUIRE(c.put_peer("p3", net::Bytes{3}, 30));
  REQUIRE(c.put_peer("p1", net::Bytes{11}, 40));  // update: p1 is now the newest
  CHECK(*c.peer_count() == 3);
  REQUIRE(c.put_peer("p4", net::Bytes{4}, 50));   // one past the limit: p2 goes
  CHECK(*c.peer_count() == 3);
  CHECK_FALSE(c.peer("p2")->has_value());
  CHECK(**c.peer("p1") == net::Bytes{11});
  CHECK(**c.peer("p4") == net::Bytes{4});
  // The count cache survives a rollback (of a turn after a committed one).
  REQUIRE(f.st->batch.commit());
  REQUIRE(c.put_peer("p5", net::Bytes{5}, 60));
  f.st->batch.rollback();
  REQUIRE(c.put_peer("p6", net::Bytes{6}, 70));
  CHECK(*c.peer_count() == 3);
}

TEST_CASE("store: offline queue: FIFO, load and remove by seq, expire by time") {
  Fixture f;
  auto& q = *f.st->queue;
  auto s1 = q.insert("peerA", "e1", 100, net::Bytes{1, 1});
  auto s2 = q.insert("peerB", "e2", 200, net::Bytes{2});
  auto s3 = q.insert("peerA", "e3", 300, net::Bytes(1000, 3));
  REQUIRE(s1);
  REQUIRE(s2);
  REQUIRE(s3);
  CHECK(*s1 < *s2);
  CHECK(*s2 < *s3);
  auto all = q.list();
  REQUIRE(all);
  REQUIRE(all->size() == 3);
  CHECK((*all)[0] == QueuedEnvelope{*s1, "peerA", "e1", 100, 2});
  CHECK((*all)[2].len == 1000);
  CHECK(**q.load(*s3) == net::Bytes(1000, 3));
  CHECK(**q.load(*s1) == net::Bytes{1, 1});
  CHECK_FALSE(q.load(*s3 + 100)->has_value());
  CHECK(*q.remove(*s2));
  CHECK_FALSE(*q.remove(*s2));
  CHECK_FALSE(q.load(*s2)->has_value());
  auto gone = q.expire(300);  // strictly before 300
  REQUIRE(gone);
  REQUIRE(gone->size() == 1);
  CHECK((*gone)[0].envelope_id == "e1");
  CHECK(*q.count() == 1);
  f.commit();
  f.open();
  CHECK(*f.st->queue->count() == 1);
}

TEST_CASE("store: peer book: addresses round-trip, most recent first, bounded") {
  Fixture f;
  auto& b = *f.st->peer_book;
  b.set_max_entries(2);
  PeerBookEntry e1{"p1", {net::Bytes{4, 127, 0, 0, 1}, net::Bytes{6, 0x0f, 0xa1}}, 10};
  REQUIRE(b.upsert(e1));
  REQUIRE(b.upsert({"p2", {net::Bytes{1}}, 20}));
  REQUIRE(b.upsert({"p1", e1.addrs, 30}));
  REQUIRE(b.upsert({"p3", {net::Bytes{3}}, 40}));  // past the bound: p2 (oldest) goes
  auto l = b.list(10);
  REQUIRE(l);
  REQUIRE(l->size() == 2);
  CHECK((*l)[0].peer_id == "p3");
  CHECK((*l)[1] == PeerBookEntry{"p1", e1.addrs, 30});
  REQUIRE(b.remove("p3"));
  CHECK(*b.count() == 1);
  // The address column codec: limits crossed by one.
  std::vector<net::Bytes> many(kMaxPeerBookAddrs + 1, net::Bytes{9});
  auto enc = PeerBookDao::encode_addrs(many);
  auto dec = PeerBookDao::decode_addrs(enc);
  REQUIRE(dec);
  CHECK(dec->size() == kMaxPeerBookAddrs);
  std::vector<net::Bytes> big{net::Bytes(kMaxPeerBookAddrLen, 1), net::Bytes(kMaxPeerBookAddrLen + 1, 2)};
  CHECK(PeerBookDao::decode_addrs(PeerBookDao::encode_addrs(big))->size() == 1);
  auto bad = PeerBookDao::decode_addrs(net::Bytes{5, 1, 2});
  CHECK(bad.err() == net::Err::proto);
  CHECK(bad.what() == "peer book: truncated address list");
}

TEST_CASE("store: dedup window: recent ids oldest first, trimmed to the window") {
  Fixture f;
  auto& d = *f.st->dedup;
  d.set_window(4);
  for (int i = 0; i < 300; ++i) REQUIRE(d.add("p", "e" + std::to_string(i)));
  REQUIRE(d.add("q", "e299"));  // another peer's id: its own row
  auto r = d.recent(4);
  REQUIRE(r);
  REQUIRE(r->size() == 4);
  CHECK((*r)[0] == std::make_pair(std::string("p"), std::string("e297")));
  CHECK((*r)[3] == std::make_pair(std::string("q"), std::string("e299")));
  // The table holds at most window + trim slack rows.
  CHECK(*d.count() <= static_cast<int64_t>(4 + kDedupTrimSlack));
  CHECK(*d.count() >= 4);
}

TEST_CASE("store: integrity_check passes after a burst of writes") {
  Fixture f;
  for (int i = 0; i < 200; ++i) {
    std::string id = "t" + std::to_string(i);
    REQUIRE(f.st->tasks->insert(row(id)));
    REQUIRE(f.st->tasks->add_item(id, ItemKind::message, net::Bytes(100, 1)));
    REQUIRE(f.st->queue->insert("p", "e" + id, i, net::Bytes(50, 2)));
    if (i % 50 == 49) f.commit();
  }
  auto ic = f.db->integrity_check();
  REQUIRE(ic);
  CHECK(*ic == "ok");
}

TEST_CASE("store: group commit vs one commit per task (measured)") {
  // Not a pass/fail threshold: prints the figures for the README.
  auto run = [](bool batched, int n) {
    Fixture f;
    auto t0 = std::chrono::steady_clock::now();
    for (int i = 0; i < n; ++i) {
      std::string id = "task-" + std::to_string(i);
      REQUIRE(f.st->tasks->insert(row(id)));
      REQUIRE(f.st->tasks->add_item(id, ItemKind::message, net::Bytes(200, 7)));
      REQUIRE(f.st->queue->insert("peer", "env-" + id, i, net::Bytes(300, 1)));
      if (!batched || i % 64 == 63) f.commit();
    }
    f.commit();
    double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return n / s;
  };
  double one = run(false, 2000);
  double grouped = run(true, 20000);
  MESSAGE("store: tasks/s one commit each: " << static_cast<int>(one)
                                             << ", group commit of 64: " << static_cast<int>(grouped));
  CHECK(grouped > one);
}

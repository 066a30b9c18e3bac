// The A2A engine over an in-memory network with simulated time
// (engine_harness.hpp): task lifecycle both sides, the envelope mapping,
// ACK / retries / offline queue / TTL / dedup, restarts, subscriptions,
// artifact streaming with bounded memory.
#include <doctest/doctest.h>

#include "engine_harness.hpp"
#include "net/metrics.hpp"

using namespace a2atest;
using S = TaskStatus;
using ET = v1::EnvelopeType;

namespace {

struct Pair {
  Net net;
  Node& a;
  Node& b;
  Collector<IncomingTask> b_incoming;
  SubId b_sub = 0;
  Pair() : a(net.add()), b(net.add()) {
    auto s = b.engine->subscribe_incoming(b_incoming.sink());
    REQUIRE(s);
    b_sub = *s;
  }
  // A sends a task to B; returns the task id (after the commit).
  std::string send(const std::string& text = "hello", std::string ctx = "ctx-1", std::string skill = "echo") {
    Caught<Task> c;
    a.engine->send_task({b.text(), text_message(text), ctx, skill, {}}, c.reply());
    CHECK_FALSE(c.r.has_value());  // not before the commit
    net.settle();
    REQUIRE(c.r.has_value());
    REQUIRE_MESSAGE(*c.r, c.r->message());
    CHECK((**c.r).status == S::TASK_STATUS_SUBMITTED);
    return (**c.r).task_id;
  }
  ApiStatus agent(const std::function<void(Reply<void>)>& op) {
    Caught<void> c;
    op(c.reply());
    net.settle();
    REQUIRE(c.r.has_value());
    return *c.r;
  }
};

}  // namespace

TEST_CASE("engine: a task end to end: SUBMITTED -> WORKING -> COMPLETED with two artifacts") {
  Pair p;
  std::string id = p.send("summarize this", "ctx-9", "summarize");
  // B's agent sees it, with the sender's task id, context and skill.
  REQUIRE(p.b_incoming.got.size() == 1);
  const Task& in = *p.b_incoming.got[0].task;
  CHECK(in.task_id == id);
  CHECK(in.context_id == "ctx-9");
  CHECK(in.target_skill_id == "summarize");
  CHECK(in.originator_peer_id == p.a.text());
  CHECK(in.status == S::TASK_STATUS_SUBMITTED);
  REQUIRE(in.messages.size() == 1);
  CHECK(in.messages[0] == text_message("summarize this"));

  Collector<TaskUpdate> ups;
  REQUIRE(p.a.engine->subscribe_updates(id, ups.sink()));
  REQUIRE(p.agent([&](Reply<void> r) {
    p.b.engine->update_status(id, S::TASK_STATUS_WORKING, std::nullopt, std::move(r));
  }));
  std::vector<Artifact> arts{text_artifact("one", "first"), text_artifact("two", "second")};
  REQUIRE(p.agent([&](Reply<void> r) {
    p.b.engine->complete_task(id, arts, text_message("done", v1::MessageRole::MESSAGE_ROLE_AGENT), std::move(r));
  }));
  REQUIRE(ups.got.size() == 2);
  CHECK(ups.got[0].status == S::TASK_STATUS_WORKING);
  CHECK(ups.got[0].task_id == id);
  CHECK(ups.got[1].status == S::TASK_STATUS_COMPLETED);
  CHECK(ups.got[1].artifacts == arts);
  REQUIRE(ups.got[1].message);
  CHECK(ups.got[1].message->parts[0].text_part.text == "done");

  // GetTask: the whole task on both sides.
  for (Node* n : {&p.a, &p.b}) {
    auto t = n->engine->get_task(id);
    REQUIRE(t);
    CHECK(t->status == S::TASK_STATUS_COMPLETED);
    CHECK(t->context_id == "ctx-9");
    CHECK(t->target_skill_id == "summarize");
    CHECK(t->artifacts == arts);
    REQUIRE(t->messages.size() == 2);
    CHECK(t->messages[0] == text_message("summarize this"));
  }
  CHECK(p.a.engine->get_task(id)->originator_peer_id == "local");
  CHECK(p.b.engine->get_task(id)->originator_peer_id == p.a.text());
  // Every tracked envelope was ACKed: nothing queued anywhere.
  CHECK(p.a.engine->queued_total() == 0);
  CHECK(p.b.engine->queued_total() == 0);
  CHECK(p.a.engine->stats().acks_received == 1);
  CHECK(p.b.engine->stats().acks_received == 2);
}

TEST_CASE("engine: FailTask reaches the client as FAILED with the error text") {
  Pair p;
  std::string id = p.send();
  Collector<TaskUpdate> ups;
  REQUIRE(p.a.engine->subscribe_updates(id, ups.sink()));
  REQUIRE(p.agent([&](Reply<void> r) { p.b.engine->update_status(id, S::TASK_STATUS_WORKING, std::nullopt, std::move(r)); }));
  REQUIRE(p.agent([&](Reply<void> r) { p.b.engine->fail_task(id, "model crashed", std::move(r)); }));
  REQUIRE(ups.got.size() == 2);
  CHECK(ups.got[1].status == S::TASK_STATUS_FAILED);
  REQUIRE(ups.got[1].message);
  CHECK(ups.got[1].message->parts[0].text_part.text == "model crashed");
  auto t = p.a.engine->get_task(id);
  CHECK(t->status == S::TASK_STATUS_FAILED);
  CHECK(t->messages.back().parts[0].text_part.text == "model crashed");
}

TEST_CASE("engine: CancelTask on the client side sends TASK_CANCEL; the agent sees CANCELED") {
  Pair p;
  std::string id = p.send();
  Collector<TaskUpdate> agent_view;
  REQUIRE(p.b.engine->subscribe_updates(id, agent_view.sink()));
  std::vector<ET> seen;
  p.net.drop = [&](const Sent&, const Envelope& e) {
    seen.push_back(e.type);
    return false;
  };
  Caught<Task> c;
  p.a.engine->cancel_task(id, c.reply());
  p.net.settle();
  REQUIRE(c.r);
  REQUIRE(*c.r);
  CHECK((**c.r).status == S::TASK_STATUS_CANCELED);
  CHECK((**c.r).messages.size() == 1);
  CHECK(seen.front() == ET::ENVELOPE_TYPE_TASK_CANCEL);
  REQUIRE(agent_view.got.size() == 1);
  CHECK(agent_view.got[0].status == S::TASK_STATUS_CANCELED);
  CHECK(p.b.engine->get_task(id)->status == S::TASK_STATUS_CANCELED);
  // Cancelling again: illegal, nothing sent.
  seen.clear();
  Caught<Task> again;
  p.a.engine->cancel_task(id, again.reply());
  REQUIRE(again.r);
  CHECK(again.r->code() == ApiCode::failed_precondition);
  CHECK(again.r->message() == "task " + id + " is in terminal state CANCELED");
  p.net.settle();
  CHECK(seen.empty());
}

TEST_CASE("engine: CancelTask on the agent side sends TASK_CANCEL to the originator") {
  Pair p;
  std::string id = p.send();
  Collector<TaskUpdate> ups;
  REQUIRE(p.a.engine->subscribe_updates(id, ups.sink()));
  REQUIRE(p.agent([&](Reply<void> r) { p.b.engine->update_status(id, S::TASK_STATUS_WORKING, std::nullopt, std::move(r)); }));
  Caught<Task> c;
  p.b.engine->cancel_task(id, c.reply());
  p.net.settle();
  REQUIRE(*c.r);
  REQUIRE(ups.got.size() == 2);
  CHECK(ups.got[1].status == S::TASK_STATUS_CANCELED);
  CHECK(p.a.engine->get_task(id)->status == S::TASK_STATUS_CANCELED);
}

TEST_CASE("engine: illegal and misdirected changes get FAILED_PRECONDITION with the original's words") {
  Pair p;
  std::string id = p.send();
  auto r = p.agent([&](Reply<void> rr) { p.b.engine->complete_task(id, {}, std::nullopt, std::move(rr)); });
  CHECK(r.code() == ApiCode::failed_precondition);
  CHECK(r.message() == "invalid transition: SUBMITTED -> COMPLETED for task " + id);
  r = p.agent([&](Reply<void> rr) { p.b.engine->update_status("nope", S::TASK_STATUS_WORKING, std::nullopt, std::move(rr)); });
  CHECK(r.code() == ApiCode::failed_precondition);
  CHECK(r.message() == "task not found: nope");
  r = p.agent([&](Reply<void> rr) { p.b.engine->update_status("", S::TASK_STATUS_WORKING, std::nullopt, std::move(rr)); });
  CHECK(r.code() == ApiCode::invalid_argument);
  CHECK(r.message() == "task_id is required");
  // The client cannot drive a task another daemon runs.
  r = p.agent([&](Reply<void> rr) { p.a.engine->update_status(id, S::TASK_STATUS_WORKING, std::nullopt, std::move(rr)); });
  CHECK(r.code() == ApiCode::failed_precondition);
  CHECK(r.message() == "task " + id + " runs on peer " + p.b.text() + ": its status comes from there");
  // Unknown / empty ids for queries.
  CHECK(p.a.engine->get_task("nope").code() == ApiCode::not_found);
  CHECK(p.a.engine->get_task("nope").message() == "task not found: nope");
  CHECK(p.a.engine->get_task("").message() == "task_id is required");
  Caught<Task> c;
  p.a.engine->cancel_task("nope", c.reply());
  CHECK(c.r->code() == ApiCode::not_found);
  // SendTask argument checks.
  Caught<Task> s;
  p.a.engine->send_task({"", text_message("x"), "", "", {}}, s.reply());
  CHECK(s.r->message() == "peer_id is required");
  s.r.reset();
  p.a.engine->send_task({"not-a-peer", text_message("x"), "", "", {}}, s.reply());
  CHECK(s.r->code() == ApiCode::invalid_argument);
  CHECK(s.r->message().rfind("invalid peer_id: ", 0) == 0);
  s.r.reset();
  p.a.engine->send_task({p.b.text(), text_message("x"), std::string(257, 'c'), "", {}}, s.reply());
  CHECK(s.r->message() == "context_id of 257 bytes exceeds 256");
}

TEST_CASE("engine: a status report from a peer that does not run the task is ignored (but ACKed)") {
  Pair p;
  Node& c = p.net.add();
  std::string id = p.send();
  Envelope e;
  e.envelope_id = "forged-1";
  e.type = ET::ENVELOPE_TYPE_TASK_COMPLETE;
  e.mutable_task_complete().task_id = id;
  CHECK(p.a.engine->on_frame(c.id, 1, e.encode()));
  p.net.settle();
  CHECK(p.a.engine->get_task(id)->status == S::TASK_STATUS_SUBMITTED);
  CHECK(p.a.engine->stats().rejected == 1);
  CHECK(p.a.engine->stats().acks_sent == 1);
}

TEST_CASE("engine: a COMPLETE that overtakes its WORKING still completes the client's copy") {
  Pair p;
  std::string id = p.send();
  Collector<TaskUpdate> ups;
  REQUIRE(p.a.engine->subscribe_updates(id, ups.sink()));
  p.net.drop = [](const Sent&, const Envelope& e) { return e.type == ET::ENVELOPE_TYPE_TASK_STATUS_UPDATE; };
  REQUIRE(p.agent([&](Reply<void> r) { p.b.engine->update_status(id, S::TASK_STATUS_WORKING, std::nullopt, std::move(r)); }));
  p.net.drop = nullptr;
  REQUIRE(p.agent([&](Reply<void> r) { p.b.engine->complete_task(id, {text_artifact("x", "y")}, std::nullopt, std::move(r)); }));
  REQUIRE_FALSE(ups.got.empty());
  CHECK(ups.got.back().status == S::TASK_STATUS_COMPLETED);
  CHECK(p.a.engine->get_task(id)->status == S::TASK_STATUS_COMPLETED);
  // The late WORKING retry is refused (terminal) and ACKed.
  p.net.advance(3 * net::kSecond);
  CHECK(p.a.engine->get_task(id)->status == S::TASK_STATUS_COMPLETED);
  CHECK(p.b.engine->queued_total() == 0);
}

TEST_CASE("engine: a replayed envelope is ACKed again and not delivered twice") {
  Pair p;
  net::Bytes captured;
  p.net.drop = [&](const Sent&, const Envelope& e) {
    if (e.type == ET::ENVELOPE_TYPE_SEND_TASK) captured = e.encode();
    return false;
  };
  std::string id = p.send();
  REQUIRE_FALSE(captured.empty());
  const uint64_t acks = p.b.engine->stats().acks_sent;
  for (int i = 0; i < 3; ++i) CHECK(p.b.engine->on_frame(p.a.id, 100 + i, captured));
  p.net.settle();
  CHECK(p.b_incoming.got.size() == 1);
  CHECK(p.b.engine->stats().duplicates == 3);
  CHECK(p.b.engine->stats().acks_sent == acks + 3);
  // The same envelope id from another peer is not a duplicate of A's.
  Node& c = p.net.add();
  Envelope e;
  REQUIRE(e.decode(captured));
  e.send_task.task_id = "other-task";
  CHECK(p.b.engine->on_frame(c.id, 200, e.encode()));
  p.net.settle();
  CHECK(p.b_incoming.got.size() == 2);
  (void)id;
}

TEST_CASE("engine: a lost ACK: retry at 2 s, the duplicate is re-ACKed, the queue empties") {
  Pair p;
  int acks_dropped = 0;
  p.net.drop = [&](const Sent&, const Envelope& e) {
    if (e.type == ET::ENVELOPE_TYPE_ACK && acks_dropped == 0) {
      ++acks_dropped;
      return true;
    }
    return false;
  };
  std::string id = p.send();
  CHECK(p.a.engine->queued_total() == 1);  // awaiting its ACK
  p.net.advance(2 * net::kSecond - 1);
  CHECK(p.a.engine->stats().retries == 0);
  p.net.advance(1);
  CHECK(p.a.engine->stats().retries == 1);
  CHECK(p.b.engine->stats().duplicates == 1);
  CHECK(p.a.engine->queued_total() == 0);
  CHECK(p.b_incoming.got.size() == 1);
  (void)id;
}

TEST_CASE("engine: no ACK at all: retries at 2, 6, 14 s, queued at 30 s, flushed once on connect") {
  Pair p;
  bool block_acks = true;
  std::vector<net::Instant> sends;
  const net::Instant t0 = p.net.clock.t;
  p.net.drop = [&](const Sent& s, const Envelope& e) {
    if (e.type == ET::ENVELOPE_TYPE_SEND_TASK && s.from == p.a.id) sends.push_back(p.net.clock.t - t0);
    return block_acks && e.type == ET::ENVELOPE_TYPE_ACK;
  };
  std::string id = p.send();
  p.net.advance(31 * net::kSecond);
  const std::vector<net::Instant> want{0, 2 * net::kSecond, 6 * net::kSecond, 14 * net::kSecond};
  CHECK(sends == want);
  CHECK(p.a.engine->stats().gave_up == 1);
  CHECK(p.a.engine->queued_for(p.b.id) == 1);  // one entry: never queued twice
  CHECK(*p.a.st->queue->count() == 1);
  // Nothing more until the peer connects (or the sweep).
  p.net.advance(10 * net::kSecond);
  CHECK(sends.size() == 4);
  block_acks = false;
  p.a.engine->on_peer_connected(p.b.id);
  p.net.settle();
  CHECK(sends.size() == 5);
  CHECK(p.a.engine->queued_total() == 0);
  CHECK(*p.a.st->queue->count() == 0);
  CHECK(p.b_incoming.got.size() == 1);  // exactly once
  (void)id;
}

TEST_CASE("engine: B down when A sends: SendTask succeeds, queued, B up, delivered exactly once") {
  Pair p;
  p.b.up = false;
  std::string id = p.send();
  CHECK(p.a.engine->get_task(id)->status == S::TASK_STATUS_SUBMITTED);
  CHECK(p.a.engine->queued_for(p.b.id) == 1);
  CHECK(p.a.engine->stats().send_failures == 1);
  // While B is down (backoff), new sends queue without dialing.
  std::string id2 = p.send("second");
  CHECK(p.a.engine->queued_for(p.b.id) == 2);
  p.b.up = true;
  p.a.engine->on_peer_connected(p.b.id);
  p.net.settle();
  REQUIRE(p.b_incoming.got.size() == 2);
  CHECK(p.b_incoming.got[0].task->task_id == id);  // FIFO
  CHECK(p.b_incoming.got[1].task->task_id == id2);
  CHECK(p.a.engine->queued_total() == 0);
  p.net.advance(60 * net::kSecond);
  CHECK(p.b_incoming.got.size() == 2);
}

TEST_CASE("engine: B restarts after taking the task but before A saw the ACK: it arrives exactly once") {
  Pair p;
  p.net.drop = [&](const Sent&, const Envelope& e) { return e.type == ET::ENVELOPE_TYPE_ACK; };
  std::string id = p.send();
  REQUIRE(p.b_incoming.got.size() == 1);
  // B's agent has not acted yet. B crashes and comes back.
  p.b.crash();
  p.b.start(p.net.clock);
  p.net.drop = nullptr;
  p.net.advance(3 * net::kSecond);  // A's retry: a duplicate for B's persisted window
  CHECK(p.b.engine->stats().duplicates == 1);
  CHECK(p.a.engine->queued_total() == 0);
  // B's agent never acted on it (still SUBMITTED): the hand-off may have
  // died with the process, so B's new agent subscription is offered it
  // again — at least once to the agent, exactly once between daemons.
  Collector<IncomingTask> again;
  REQUIRE(p.b.engine->subscribe_incoming(again.sink()));
  p.net.settle();
  REQUIRE(again.got.size() == 1);
  CHECK(again.got[0].task->task_id == id);
  CHECK(p.b.engine->get_task(id));
  Collector<IncomingTask> later;
  REQUIRE(p.b.engine->subscribe_incoming(later.sink()));
  p.net.settle();
  CHECK(later.got.empty());
  // Once the agent acted (WORKING), a restart offers it no more.
  Caught<void> w;
  p.b.engine->update_status(id, TaskStatus::TASK_STATUS_WORKING, std::nullopt, w.reply());
  p.net.settle();
  REQUIRE(*w.r);
  p.b.crash();
  p.b.start(p.net.clock);
  Collector<IncomingTask> after;
  REQUIRE(p.b.engine->subscribe_incoming(after.sink()));
  p.net.settle();
  CHECK(after.got.empty());
}

TEST_CASE("engine: tasks that arrive while no agent listens are replayed to the next subscriber, once") {
  Pair p;
  p.b.engine->unsubscribe(p.b_sub);
  std::string id = p.send();
  CHECK(p.b_incoming.got.empty());
  Collector<IncomingTask> late;
  REQUIRE(p.b.engine->subscribe_incoming(late.sink()));
  p.net.settle();
  REQUIRE(late.got.size() == 1);
  CHECK(late.got[0].task->task_id == id);
  CHECK(late.got[0].task->messages.size() == 1);
  Collector<IncomingTask> later;
  REQUIRE(p.b.engine->subscribe_incoming(later.sink()));
  p.net.settle();
  CHECK(later.got.empty());
}

TEST_CASE("engine: a delivery is written with the task's next status change") {
  Pair p;
  auto dispatched_column = [&](const std::string& id) {
    auto r = p.b.st->tasks->find(id);
    REQUIRE(r);
    REQUIRE(r->has_value());
    return (*r)->dispatched;
  };
  // Handed to B's agent: remembered, not written (no UPDATE of its own).
  std::string id = p.send();
  REQUIRE(p.b_incoming.got.size() == 1);
  CHECK_FALSE(dispatched_column(id));
  // Not offered to another agent meanwhile.
  Collector<IncomingTask> second;
  REQUIRE(p.b.engine->subscribe_incoming(second.sink()));
  p.net.settle();
  CHECK(second.got.empty());
  // The agent acts: the status UPDATE writes the delivery too.
  REQUIRE(p.agent([&](Reply<void> r) { p.b.engine->update_status(id, S::TASK_STATUS_WORKING, std::nullopt, std::move(r)); }));
  CHECK(dispatched_column(id));
}

TEST_CASE("engine: beyond the bound of deliveries kept in memory, the flag is written at once") {
  // Bound 1: the first delivery is remembered, the next is written at once.
  Net net;
  Node& a = net.add();
  Node& b = net.add();
  b.limits.dispatched_in_memory = 1;
  b.crash();
  b.start(net.clock);
  Collector<IncomingTask> agent;
  REQUIRE(b.engine->subscribe_incoming(agent.sink()));
  std::vector<std::string> ids;
  for (int i = 0; i < 2; ++i) {
    Caught<Task> c;
    a.engine->send_task({b.text(), text_message("t"), "ctx", "skill", {}}, c.reply());
    net.settle();
    REQUIRE(c.r.has_value());
    REQUIRE(*c.r);
    ids.push_back((**c.r).task_id);
  }
  REQUIRE(agent.got.size() == 2);
  auto col = [&](const std::string& id) { return (*b.st->tasks->find(id))->dispatched; };
  CHECK_FALSE(col(ids[0]));
  CHECK(col(ids[1]));
  // A crash forgets the remembered one; the restart offers every task still
  // SUBMITTED again (at least once, as before).
  b.crash();
  b.start(net.clock);
  Collector<IncomingTask> after;
  REQUIRE(b.engine->subscribe_incoming(after.sink()));
  net.settle();
  CHECK(after.got.size() == 2);
}

TEST_CASE("engine: waiting tasks are re-offered to a handler that appears later (the MCP proxy's tools)") {
  Pair p;
  p.b.engine->unsubscribe(p.b_sub);
  std::string tool_task = p.send("{}", "ctx", "add");
  std::string other = p.send("hi", "ctx", "chat");
  CHECK(p.b.engine->reoffer_undispatched() == 0);  // no handler yet
  std::vector<std::string> claimed;
  p.b.engine->set_incoming_handler([&](const IncomingTask& in) {
    if (!in.task || in.task->target_skill_id != "add") return false;
    CHECK(in.task->originator_peer_id == p.a.text());
    claimed.push_back(in.task->task_id);
    return true;
  });
  CHECK(p.b.engine->reoffer_undispatched() == 1);
  p.net.settle();
  REQUIRE(claimed.size() == 1);
  CHECK(claimed[0] == tool_task);
  CHECK(p.b.engine->reoffer_undispatched() == 0);  // claimed ones are dispatched
  // The other task still reaches the next agent; the claimed one does not.
  Collector<IncomingTask> agent;
  REQUIRE(p.b.engine->subscribe_incoming(agent.sink()));
  p.net.settle();
  REQUIRE(agent.got.size() == 1);
  CHECK(agent.got[0].task->task_id == other);
}

TEST_CASE("engine: the offline queue TTL drops what waited too long") {
  Net net;
  Node& a = net.add();
  a.limits.offline_queue_ttl_ns = 5 * net::kSecond;
  a.crash();
  a.start(net.clock);
  Node& b = net.add();
  b.up = false;
  Collector<IncomingTask> inc;
  REQUIRE(b.engine->subscribe_incoming(inc.sink()));
  Caught<Task> c;
  a.engine->send_task({b.text(), text_message("late"), "", "", {}}, c.reply());
  net.settle();
  REQUIRE(*c.r);
  CHECK(a.engine->queued_total() == 1);
  net.advance(4 * net::kSecond);
  CHECK(a.engine->queued_total() == 1);
  net.advance(2 * net::kSecond);
  CHECK(a.engine->queued_total() == 0);
  CHECK(a.engine->stats().expired == 1);
  CHECK(*a.st->queue->count() == 0);
  b.up = true;
  a.engine->on_peer_connected(b.id);
  net.settle();
  CHECK(inc.got.empty());
}

TEST_CASE("engine: restart keeps tasks and the queue; an unflushed turn is lost with its reply") {
  Pair p;
  p.b.up = false;
  std::string id = p.send("persist me");
  // A turn whose reply never went out: no commit, no task.
  Caught<Task> lost;
  p.a.engine->send_task({p.b.text(), text_message("never acknowledged"), "", "", {}}, lost.reply());
  CHECK_FALSE(lost.r.has_value());
  p.a.crash();
  p.a.start(p.net.clock);
  CHECK(p.a.engine->queued_for(p.b.id) == 1);
  auto t = p.a.engine->get_task(id);
  REQUIRE(t);
  CHECK(t->messages[0] == text_message("persist me"));
  auto ic = p.a.db->integrity_check();
  CHECK(*ic == "ok");
  p.b.up = true;
  p.a.engine->on_peer_connected(p.b.id);
  p.net.settle();
  REQUIRE(p.b_incoming.got.size() == 1);
  CHECK(p.b_incoming.got[0].task->task_id == id);
}

TEST_CASE("engine: a store failure rolls the turn back: INTERNAL reply, nothing sent") {
  Pair p;
  REQUIRE(p.a.db->exec("DROP TABLE task_items"));
  Caught<Task> c;
  p.a.engine->send_task({p.b.text(), text_message("x"), "", "", {}}, c.reply());
  p.net.settle();
  REQUIRE(c.r);
  CHECK(c.r->code() == ApiCode::internal);
  CHECK(p.a.engine->stats().commit_failures == 1);
  CHECK(p.b_incoming.got.empty());
  CHECK(p.a.engine->queued_total() == 0);
  CHECK(*p.a.st->tasks->count() == 0);
}

TEST_CASE("engine: a task for our own peer id goes to our agents without the network") {
  Net net;
  Node& a = net.add();
  Collector<IncomingTask> inc;
  REQUIRE(a.engine->subscribe_incoming(inc.sink()));
  Caught<AgentCard> cc;
  AgentCard card;
  card.name = "self-agent";
  a.engine->set_card(card, cc.reply());
  Caught<Task> c;
  a.engine->send_task({a.text(), text_message("to me"), "c", "s", {}}, c.reply());
  net.settle();
  REQUIRE(*c.r);
  const std::string id = (**c.r).task_id;
  CHECK(net.delivered == 0);
  REQUIRE(inc.got.size() == 1);
  CHECK(inc.got[0].task->originator_peer_id == a.text());
  REQUIRE(inc.got[0].sender_card);
  CHECK(inc.got[0].sender_card->name == "self-agent");
  Collector<TaskUpdate> ups;
  REQUIRE(a.engine->subscribe_updates(id, ups.sink()));
  Caught<void> w, d;
  a.engine->update_status(id, S::TASK_STATUS_WORKING, std::nullopt, w.reply());
  a.engine->complete_task(id, {text_artifact("r", "ok")}, std::nullopt, d.reply());
  net.settle();
  REQUIRE(*w.r);
  REQUIRE(*d.r);
  REQUIRE(ups.got.size() == 2);
  CHECK(ups.got[1].status == S::TASK_STATUS_COMPLETED);
  CHECK(ups.got[1].artifacts.size() == 1);
  CHECK(net.delivered == 0);
  CHECK(a.engine->queued_total() == 0);
}

TEST_CASE("engine: subscribing after the task finished starts with its state") {
  Pair p;
  std::string id = p.send();
  REQUIRE(p.agent([&](Reply<void> r) { p.b.engine->update_status(id, S::TASK_STATUS_WORKING, std::nullopt, std::move(r)); }));
  REQUIRE(p.agent([&](Reply<void> r) { p.b.engine->complete_task(id, {text_artifact("z", "zz")}, std::nullopt, std::move(r)); }));
  Collector<TaskUpdate> late;
  REQUIRE(p.a.engine->subscribe_updates(id, late.sink()));
  p.net.settle();
  REQUIRE(late.got.size() == 1);
  CHECK(late.got[0].status == S::TASK_STATUS_COMPLETED);
  CHECK(late.got[0].artifacts.size() == 1);
  CHECK(p.a.engine->subscribe_updates("nope", late.sink()).code() == ApiCode::not_found);
  CHECK(p.a.engine->subscribe_updates("", late.sink()).message() == "task_id is required");
}

TEST_CASE("engine: a slow update subscriber is ended with RESOURCE_EXHAUSTED, never given a hole") {
  Net net;
  Node& a = net.add();
  a.limits.subscriber_queue_events = 3;
  a.crash();
  a.start(net.clock);
  Caught<Task> c;
  a.engine->send_task({a.text(), text_message("x"), "", "", {}}, c.reply());
  net.settle();
  const std::string id = (**c.r).task_id;
  Collector<TaskUpdate> slow, fast;
  slow.answer = Flow::full;
  REQUIRE(a.engine->subscribe_updates(id, slow.sink()));
  REQUIRE(a.engine->subscribe_updates(id, fast.sink()));
  const S seq[] = {S::TASK_STATUS_WORKING, S::TASK_STATUS_INPUT_REQUIRED, S::TASK_STATUS_WORKING,
                   S::TASK_STATUS_INPUT_REQUIRED};
  for (S s : seq) {
    Caught<void> r;
    a.engine->update_status(id, s, std::nullopt, r.reply());
    net.settle();
    REQUIRE(*r.r);
  }
  CHECK(fast.got.size() == 4);
  CHECK(slow.got.empty());
  REQUIRE(slow.ended.size() == 1);
  CHECK(slow.ended[0].code == ApiCode::resource_exhausted);
  CHECK(slow.ended[0].message == "subscriber too slow: 3 events queued");
  CHECK(a.engine->stats().subscribers_ended == 1);
}

TEST_CASE("engine: a full offline queue refuses new tasks with RESOURCE_EXHAUSTED") {
  Net net;
  Node& a = net.add();
  a.limits.max_queued_per_peer = 2;
  a.crash();
  a.start(net.clock);
  Node& b = net.add();
  b.up = false;
  for (int i = 0; i < 2; ++i) {
    Caught<Task> c;
    a.engine->send_task({b.text(), text_message("x"), "", "", {}}, c.reply());
    net.settle();
    REQUIRE(*c.r);
  }
  Caught<Task> c;
  a.engine->send_task({b.text(), text_message("x"), "", "", {}}, c.reply());
  REQUIRE(c.r);
  CHECK(c.r->code() == ApiCode::resource_exhausted);
  CHECK(c.r->message() == "offline queue for peer " + b.text() + " is full (2 envelopes)");
  CHECK(*a.st->tasks->count() == 2);
}

TEST_CASE("engine: cards: SetAgentCard forces peer_id and did_key; peers' cards arrive with incoming tasks") {
  Pair p;
  AgentCard card;
  card.name = "B agent";
  card.p2p_extension.emplace().peer_id = "spoofed";
  Caught<AgentCard> c;
  p.b.engine->set_card(card, c.reply());
  CHECK(p.b.transport.card_pushes == 0);  // after the commit
  p.net.settle();
  REQUIRE(*c.r);
  CHECK(p.b.transport.card_pushes == 1);
  CHECK((**c.r).p2p_extension->peer_id == p.b.text());
  CHECK((**c.r).p2p_extension->did_key.rfind("did:key:z6Mk", 0) == 0);
  // What the card protocol would deliver to A:
  p.a.engine->on_card_received(p.b.id, **c.r);
  auto got = p.a.engine->peer_card(p.b.text());
  REQUIRE(got);
  CHECK(got->name == "B agent");
  CHECK(p.a.engine->peer_card(p.a.text()).code() == ApiCode::not_found);  // A has no card yet
  CHECK(p.a.engine->peer_card("").message() == "peer_id is required");
  Node& c3 = p.net.add();
  CHECK(p.a.engine->peer_card(c3.text()).message() == "no card for peer " + c3.text());
  // A's card travels with A's tasks.
  AgentCard ac;
  ac.name = "A client";
  p.b.engine->on_card_received(p.a.id, ac);
  p.send();
  REQUIRE(p.b_incoming.got.size() == 1);
  REQUIRE(p.b_incoming.got[0].sender_card);
  CHECK(p.b_incoming.got[0].sender_card->name == "A client");
  // Restart: our card is restored.
  p.b.crash();
  p.b.start(p.net.clock);
  REQUIRE(p.b.engine->card());
  CHECK(p.b.engine->card()->name == "B agent");
}

TEST_CASE("engine: GET_TASK: the other side answers with its copy; strangers get nothing") {
  Pair p;
  std::string id = p.send();
  REQUIRE(p.agent([&](Reply<void> r) { p.b.engine->update_status(id, S::TASK_STATUS_WORKING, std::nullopt, std::move(r)); }));
  Caught<Task> c;
  p.a.engine->fetch_remote_task(id, c.reply());
  p.net.settle();
  REQUIRE(c.r);
  REQUIRE(*c.r);
  CHECK((**c.r).status == S::TASK_STATUS_WORKING);
  CHECK((**c.r).originator_peer_id == p.a.text());
  // A peer that never answers (a Go daemon): UNAVAILABLE after 10 s.
  p.net.drop = [](const Sent&, const Envelope& e) { return e.type == ET::ENVELOPE_TYPE_GET_TASK_RESPONSE; };
  Caught<Task> d;
  p.a.engine->fetch_remote_task(id, d.reply());
  p.net.advance(10 * net::kSecond);
  REQUIRE(d.r);
  CHECK(d.r->code() == ApiCode::unavailable);
  CHECK(d.r->message() == "peer " + p.b.text() + " did not answer GET_TASK within 10 s");
  // A stranger asking B: answered without the task.
  Node& c3 = p.net.add();
  Envelope q;
  q.envelope_id = "q";
  q.type = ET::ENVELOPE_TYPE_GET_TASK;
  q.mutable_get_task().task_id = id;
  p.net.drop = nullptr;
  std::optional<Envelope> answer;
  p.net.drop = [&](const Sent& s, const Envelope& e) {
    if (s.to == c3.id) answer = e;
    return false;
  };
  CHECK(p.b.engine->on_frame(c3.id, 7, q.encode()));
  p.net.settle();
  REQUIRE(answer);
  CHECK(answer->type == ET::ENVELOPE_TYPE_GET_TASK_RESPONSE);
  CHECK_FALSE(answer->get_task_response.task.has_value());
}

TEST_CASE("engine: bad and unknown envelopes are dropped without an ACK") {
  Pair p;
  CHECK(p.b.engine->on_frame(p.a.id, 1, net::Bytes{0xff, 0xff}));
  Envelope u;
  u.envelope_id = "u";
  u.type = static_cast<ET>(42);
  CHECK(p.b.engine->on_frame(p.a.id, 2, u.encode()));
  p.net.settle();
  CHECK(p.b.engine->stats().envelopes_bad == 2);
  CHECK(p.b.engine->stats().acks_sent == 0);
}

namespace {
// Streams `total` bytes of artifact from B's agent to A's subscriber, in
// `chunk`-byte chunks; returns the peak of bytes buffered by A's engine.
struct StreamRun {
  size_t received = 0;
  bool order_ok = true;
  bool ended = false;
  size_t peak_engine = 0;
  size_t peak_frames = 0;
};
StreamRun stream_artifact(Pair& p, const std::string& id, size_t total, size_t chunk, bool slow_subscriber) {
  StreamRun run;
  int32_t next_seq = 0;
  int deliveries = 0;
  Collector<StreamEvent> col;
  Sink<StreamEvent> sink{[&](const StreamEvent& e) {
                           if (slow_subscriber && (++deliveries % 3) == 0) return Flow::full;  // pushes back
                           if (e.event_case == StreamEvent::EventCase::stream_chunk) {
                             if (e.stream_chunk.sequence != next_seq++) run.order_ok = false;
                             run.received += e.stream_chunk.data.size();
                           } else if (e.event_case == StreamEvent::EventCase::stream_end) {
                             run.ended = true;
                           }
                           return Flow::ready;
                         },
                         nullptr};
  auto sub = p.a.engine->subscribe_stream(id, std::move(sink));
  REQUIRE(sub);
  bool writable = true;
  auto w = p.b.engine->open_artifact_writer([&] { writable = true; });
  REQUIRE(w);
  StreamRequest start;
  auto& s = start.mutable_stream_start();
  s.task_id = id;
  s.artifact_id = "big";
  REQUIRE(p.b.engine->write_artifact(*w, start));
  size_t sent = 0;
  int32_t seq = 0;
  int idle = 0;
  while (sent < total || !run.ended) {
    if (writable && sent < total) {
      StreamRequest r;
      auto& c = r.mutable_stream_chunk();
      c.task_id = id;
      c.artifact_id = "big";
      c.sequence = seq;
      c.data.assign(std::min(chunk, total - sent), static_cast<uint8_t>(seq));
      c.is_last = sent + c.data.size() == total;
      auto f = p.b.engine->write_artifact(*w, r);
      REQUIRE_MESSAGE(f, f.message());
      if (*f == Flow::full) {
        writable = false;
        continue;
      }
      sent += c.data.size();
      ++seq;
      if (*f == Flow::blocked) writable = false;
      if (sent == total) {
        StreamRequest e;
        auto& se = e.mutable_stream_end();
        se.task_id = id;
        se.artifact_id = "big";
        se.reason = v1::StreamEndReason::STREAM_END_REASON_COMPLETE;
        // may be blocked: retry until taken
        for (;;) {
          auto fe = p.b.engine->write_artifact(*w, e);
          REQUIRE(fe);
          if (*fe != Flow::full) break;
          p.net.step();
          if (slow_subscriber) p.a.engine->resume(*sub);
        }
        p.b.engine->close_artifact_writer(*w, false);
      }
      continue;
    }
    p.net.step();
    // Measured before the subscriber takes more (resume drains the queue).
    run.peak_engine = std::max(run.peak_engine, p.a.engine->stream_bytes_buffered());
    if (slow_subscriber) p.a.engine->resume(*sub);
    REQUIRE(++idle < 10'000'000);
  }
  run.peak_frames = p.net.max_out_buffer;
  return run;
}
}  // namespace

TEST_CASE("engine: a 64 MiB artifact streams from B's agent to A's subscriber in order, memory bounded") {
  Pair p;
  std::string id = p.send();
  const size_t total = 64u << 20, chunk = 64 * 1024;
  StreamRun r = stream_artifact(p, id, total, chunk, /*slow=*/true);
  CHECK(r.received == total);
  CHECK(r.order_ok);
  CHECK(r.ended);
  // A's subscriber queue never held more than its bound of chunks; the
  // sender's buffer never more than kStreamOutBufferedFrames (+1 in flight).
  const size_t bound = (kStreamSubscriberChunks + 1) * (chunk + 128);
  MESSAGE("stream 64 MiB: peak bytes queued at A: " << r.peak_engine << " (bound " << bound
                                                    << "), sender frames buffered: " << r.peak_frames);
  CHECK(r.peak_engine <= bound);
  CHECK(r.peak_frames <= kStreamOutBufferedFrames + 1);
  CHECK(p.a.engine->stats().stream_events_dropped == 0);
}

TEST_CASE("engine: streams: only the daemon running the task may stream to it; chunk without start refused") {
  Pair p;
  std::string id = p.send();
  auto w = p.a.engine->open_artifact_writer([] {});
  REQUIRE(w);
  StreamRequest chunk;
  chunk.mutable_stream_chunk().task_id = id;
  auto r = p.a.engine->write_artifact(*w, chunk);
  CHECK(r.code() == ApiCode::failed_precondition);
  CHECK(r.message() == "no active stream for task " + id);
  StreamRequest none;
  CHECK(p.a.engine->write_artifact(*w, none).message() == "event is required");
  // A stranger's STREAM_START for A's task is dropped.
  Node& c = p.net.add();
  Envelope e;
  e.envelope_id = "s";
  e.type = ET::ENVELOPE_TYPE_STREAM_START;
  e.mutable_stream_start().task_id = id;
  Collector<StreamEvent> col;
  REQUIRE(p.a.engine->subscribe_stream(id, col.sink()));
  CHECK(p.a.engine->on_frame(c.id, 9, e.encode()));
  CHECK(col.got.empty());
  CHECK(p.a.engine->stats().rejected == 1);
}

TEST_CASE("engine: the largest chunk fits a gRPC client's 4 MiB message limit; one byte more is refused") {
  Pair p;
  std::string id = p.send();
  auto w = p.b.engine->open_artifact_writer([] {});
  REQUIRE(w);
  StreamRequest start;
  start.mutable_stream_start().task_id = id;
  start.mutable_stream_start().artifact_id = std::string(kMaxIdLen, 'a');
  REQUIRE(p.b.engine->write_artifact(*w, start));
  StreamRequest big;
  auto& c = big.mutable_stream_chunk();
  c.task_id = id;
  c.artifact_id = std::string(kMaxIdLen, 'a');
  c.sequence = INT32_MAX;
  c.is_last = true;
  c.data.assign(kMaxChunkDataLen + 1, 1);
  auto r = p.b.engine->write_artifact(*w, big);
  CHECK(r.code() == ApiCode::invalid_argument);
  CHECK(r.message() == "stream chunk of " + std::to_string(kMaxChunkDataLen + 1) + " bytes exceeds " +
                           std::to_string(kMaxChunkDataLen));
  c.data.pop_back();
  CHECK(p.b.engine->write_artifact(*w, big));
  // What A's subscriber and B's uploader carry for it, with gRPC's 5-byte prefix.
  StreamEvent ev;
  ev.mutable_stream_chunk() = c;
  CHECK(ev.encoded_size() + 5 <= 4u * 1024 * 1024);
  CHECK(big.encoded_size() + 5 <= 4u * 1024 * 1024);
}

TEST_CASE("engine: an inbound stream cut mid-artifact ends it with reason ERROR") {
  Pair p;
  std::string id = p.send();
  Collector<StreamEvent> col;
  REQUIRE(p.a.engine->subscribe_stream(id, col.sink()));
  Envelope e;
  e.envelope_id = "s1";
  e.type = ET::ENVELOPE_TYPE_STREAM_START;
  e.mutable_stream_start().task_id = id;
  e.stream_start.artifact_id = "art";
  CHECK(p.a.engine->on_frame(p.b.id, 77, e.encode()));
  p.a.engine->on_inbound_closed(77, false);
  REQUIRE(col.got.size() == 2);
  CHECK(col.got[1].event_case == StreamEvent::EventCase::stream_end);
  CHECK(col.got[1].stream_end.reason == v1::StreamEndReason::STREAM_END_REASON_ERROR);
  CHECK(col.got[1].stream_end.artifact_id == "art");
}

// The original's Prometheus families are fed by the engine's code paths
// (upstream.md §8.4): tasks by direction and status, durations, envelopes
// received by type, the offline queue size.
TEST_CASE("engine: metrics follow a task round trip") {
  auto& m = net::metrics::agent_metrics();
  auto value = [&](net::metrics::CounterFamily& f, std::initializer_list<std::string_view> l) {
    return f.with(l).value();
  };
  const double sent0 = value(m.tasks, {"sent", "submitted"}), recv0 = value(m.tasks, {"received", "submitted"});
  const double done_sent0 = value(m.tasks, {"sent", "completed"}), done_recv0 = value(m.tasks, {"received", "completed"});
  const double env0 = value(m.messages, {"send_task"}), acks0 = value(m.messages, {"ack"});
  const uint64_t dur0 = m.task_duration.with({"sent"}).count();
  Pair p;
  std::string id = p.send();
  REQUIRE(p.agent([&](Reply<void> r) { p.b.engine->update_status(id, S::TASK_STATUS_WORKING, std::nullopt, std::move(r)); }));
  REQUIRE(p.agent([&](Reply<void> r) { p.b.engine->complete_task(id, {}, std::nullopt, std::move(r)); }));
  CHECK(value(m.tasks, {"sent", "submitted"}) == sent0 + 1);
  CHECK(value(m.tasks, {"received", "submitted"}) == recv0 + 1);
  CHECK(value(m.tasks, {"received", "completed"}) == done_recv0 + 1);
  CHECK(value(m.tasks, {"sent", "completed"}) == done_sent0 + 1);
  CHECK(m.task_duration.with({"sent"}).count() == dur0 + 1);
  CHECK(value(m.messages, {"send_task"}) == env0 + 1);
  CHECK(value(m.messages, {"ack"}) >= acks0 + 3);  // SEND_TASK, STATUS_UPDATE, COMPLETE
  // A task to a peer that is down waits in the queue: the gauge shows it.
  p.b.up = false;
  Caught<Task> c;
  p.a.engine->send_task({p.b.text(), text_message("later"), "", "", {}}, c.reply());
  p.net.settle();
  p.a.engine->flush();
  CHECK(m.offline_queue_size.get().value() >= 1);
}

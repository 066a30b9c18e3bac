// a2a/engine_url.cpp — tasks routed by URL to external HTTP(S) A2A agents
// (SendTask{url}). The engine keeps them as ordinary tasks of our client:
// originator "local", no remote peer, so nothing is queued for libp2p and
// local agents cannot change them ("runs on peer"); the HTTP side lives in
// frontends/a2a_client (UrlRouter), which reports the agent's states here.
// Subscribers (SubscribeTaskUpdates), GetTask and the store see them
// exactly as a task sent to a peer.
#include "a2a/engine.hpp"
#include "a2a/engine_metrics.hpp"

namespace a2a {

using S = TaskStatus;

std::string Engine::send_task_url(SendTaskArgs a, Reply<Task> reply) {
  for (auto [what, v] : {std::pair<const char*, std::string_view>{"context_id", a.context_id},
                         std::pair<const char*, std::string_view>{"target_skill_id", a.target_skill_id}}) {
    if (v.size() > kMaxIdLen) {
      reply(ApiError{ApiCode::invalid_argument, std::string(what) + " of " + std::to_string(v.size()) +
                                                    " bytes exceeds " + std::to_string(kMaxIdLen)});
      return {};
    }
  }
  const int64_t t = unix_now();
  store::TaskRow row{new_id(), a.context_id, static_cast<int32_t>(S::TASK_STATUS_SUBMITTED), a.target_skill_id,
                     std::string(kLocalOriginator), "", t, t, true};
  if (auto st = store_.tasks->insert(row); !st) {
    poison(st.error());
    reply(internal_error(st.error()));
    return {};
  }
  metrics::task_status(true, S::TASK_STATUS_SUBMITTED);
  if (auto st = store_items(row.task_id, &a.message, nullptr); !st) {
    reply(internal_error(st.error()));
    return {};
  }
  reply_submitted(row, std::move(a.message), t, std::move(reply));
  return row.task_id;
}

bool Engine::apply_url_status(std::string_view task_id_v, TaskStatus to, const Message* msg,
                              const std::vector<Artifact>* arts) {
  const std::string task_id(task_id_v);
  auto found = store_.tasks->find(task_id);
  if (!found) {
    poison(found.error());
    return false;
  }
  if (!*found || (*found)->originator_peer_id != kLocalOriginator || !(*found)->remote_peer_id.empty()) return false;
  const S from = static_cast<S>((*found)->status);
  // The agent at the URL is the authority on its task: a terminal state it
  // reports (or our own FAILED) is taken from any non-terminal state.
  const bool ours = is_terminal(to) && !is_terminal(from);
  if (!ours && !remote_transition_allowed(from, to)) {
    AAC_LOG(cfg_.log, debug, "a2a", "url task: transition refused",
            {{"task", task_id}, {"error", transition_error(task_id, from, to)}});
    return false;
  }
  if (auto st = write_status(task_id, to); !st) {
    poison(st.error());
    return false;
  }
  if (is_terminal(to))
    metrics::task_done(true, to, static_cast<double>(unix_now() - (*found)->created_at_ns) / 1e9);
  if (arts && arts->empty()) arts = nullptr;
  if (!store_items(task_id, msg, arts)) return false;
  stage_update(task_id, to, msg, arts);
  return true;
}

}  // namespace a2a

"""Issue 5: the gRPC API with Debian's python3-grpcio, as the Python SDK uses it.

Stubs are generated at test time from our proto/ (grpc_tools.protoc) into a
temporary directory. Two daemons on loopback, each with its own HOME, key
and store: B's agent subscribes to incoming tasks, A's client sends a task
to B's peer id, B reports WORKING and completes with two artifacts, A's
SubscribeTaskUpdates sees both; GetTask, FailTask, CancelTask, SetAgentCard ->
GetPeerCard, ListPeers, ConnectPeer, GetNodeInfo, health and reflection.
"""
import os
import queue
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import threading
import time

from harness import Env, Skip, binary, free_port

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
_stubs = None


def stubs():
    """(grpc, pb2 modules...) generated once per run from proto/."""
    global _stubs
    if _stubs is not None:
        return _stubs
    try:
        import grpc  # noqa: F401
        import grpc_tools
        from grpc_tools import protoc
    except ImportError as e:
        raise Skip(f"python3-grpcio / python3-grpc-tools missing: {e}")
    out = tempfile.mkdtemp(prefix="aac-grpc-stubs-")
    include = os.path.join(os.path.dirname(grpc_tools.__file__), "_proto")
    protos = [os.path.join("agentanycast", "v1", f) for f in sorted(os.listdir(os.path.join(ROOT, "proto", "agentanycast", "v1")))
              if f.endswith(".proto")]
    rc = protoc.main(["protoc", f"-I{os.path.join(ROOT, 'proto')}", f"-I{include}",
                      f"--python_out={out}", f"--grpc_python_out={out}", *protos])
    assert rc == 0, f"grpc_tools.protoc failed with {rc}"
    # The standard services: a module directory of their own, so the
    # generated "grpc/..." package does not shadow grpcio itself.
    std = os.path.join(out, "src", "aacstd")
    os.makedirs(std)
    for f in ("grpc/health/v1/health.proto", "grpc/reflection/v1/reflection.proto"):
        shutil.copy(os.path.join(ROOT, "proto", f), std)
    rc = protoc.main(["protoc", f"-I{os.path.join(out, 'src')}", f"-I{include}", f"--python_out={out}",
                      f"--grpc_python_out={out}", "aacstd/health.proto", "aacstd/reflection.proto"])
    assert rc == 0, f"grpc_tools.protoc (standard services) failed with {rc}"
    import grpc  # grpcio, before our directory joins the path
    sys.path.insert(0, out)
    from agentanycast.v1 import a2a_models_pb2, agent_card_pb2, node_service_pb2, node_service_pb2_grpc, streaming_pb2
    from aacstd import health_pb2, health_pb2_grpc, reflection_pb2, reflection_pb2_grpc
    _stubs = dict(grpc=grpc, m=a2a_models_pb2, card=agent_card_pb2, ns=node_service_pb2, ns_grpc=node_service_pb2_grpc,
                  st=streaming_pb2, health=health_pb2, health_grpc=health_pb2_grpc, refl=reflection_pb2,
                  refl_grpc=reflection_pb2_grpc, dir=out)
    return _stubs


def start_daemon(env, grpc_listen=None):
    args = [binary("agentanycastd"), "-listen", "/ip4/127.0.0.1/tcp/0", "-log-level", "debug"]
    if grpc_listen:
        args += ["-grpc-listen", grpc_listen]
    d = env.start(args)
    s = d.wait_json("started", timeout=15)
    d.peer_id = s["peer_id"]
    d.addrs = s["listen_addrs"]
    return d


class Node:
    """A daemon and a channel to it (as the SDK: insecure, no metadata)."""

    def __init__(self, env, grpc_listen=None):
        self.env = env
        self.grpc_listen = grpc_listen or "unix://" + os.path.join(env.home, ".agentanycast", "daemon.sock")
        self.d = start_daemon(env, grpc_listen)
        self.peer_id = self.d.peer_id
        self.addr = [a for a in self.d.addrs if a.startswith("/ip4/127.0.0.1/")][0]
        g = stubs()
        target = self.grpc_listen if self.grpc_listen.startswith("unix://") else self.grpc_listen[len("tcp://"):]
        self.channel = g["grpc"].insecure_channel(target)
        self.stub = g["ns_grpc"].NodeServiceStub(self.channel)
        # Readiness as the Python SDK: GetNodeInfo answers.
        deadline = time.monotonic() + 10
        while True:
            try:
                self.info = self.stub.GetNodeInfo(g["ns"].GetNodeInfoRequest(), timeout=2).node_info
                break
            except g["grpc"].RpcError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)

    def close(self):
        self.channel.close()


class Stream:
    """Reads a server stream on a thread; .get() with a deadline."""

    def __init__(self, call):
        self.call = call
        self.q = queue.Queue()
        self.error = None
        self.t = threading.Thread(target=self._run, daemon=True)
        self.t.start()

    def _run(self):
        try:
            for m in self.call:
                self.q.put(m)
        except Exception as e:  # grpc.RpcError at cancel or end
            self.error = e
        self.q.put(None)

    def get(self, timeout=10):
        m = self.q.get(timeout=timeout)
        assert m is not None, f"stream ended: {self.error}"
        return m

    def cancel(self):
        self.call.cancel()
        self.t.join(timeout=5)


def expect_error(fn, code, message=None, prefix=None):
    grpc = stubs()["grpc"]
    try:
        fn()
    except grpc.RpcError as e:
        assert e.code() == code, (e.code(), e.details())
        if message is not None:
            assert e.details() == message, e.details()
        if prefix is not None:
            assert e.details().startswith(prefix), e.details()
        return
    raise AssertionError(f"expected {code}")


def text(s, role=1):
    m = stubs()["m"]
    return m.Message(message_id=f"m-{s}", role=role, parts=[m.Part(text_part=m.TextPart(text=s))])


def artifact(name, body):
    m = stubs()["m"]
    return m.Artifact(artifact_id=f"a-{name}", name=name, parts=[m.Part(text_part=m.TextPart(text=body))])


def two_nodes():
    ea, eb = Env(), Env()
    a = b = None
    try:
        a = Node(ea)  # the default unix socket under HOME
        b = Node(eb, f"tcp://127.0.0.1:{free_port()}")
        return ea, eb, a, b
    except Exception:
        for n in (a, b):
            if n:
                n.close()
        ea.close()
        eb.close()
        raise


def test_grpc_unix_socket_0600_health_reflection_node_info():
    g = stubs()
    env = Env()
    try:
        n = Node(env)
        path = n.grpc_listen[len("unix://"):]
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600, oct(os.stat(path).st_mode)
        assert n.info.peer_id == n.peer_id
        assert n.addr in list(n.info.listen_addresses), n.info.listen_addresses
        assert n.info.started_at.seconds > 0 and n.info.version
        h = g["health_grpc"].HealthStub(n.channel)
        for svc in ("agentanycast.v1.NodeService", ""):
            r = h.Check(g["health"].HealthCheckRequest(service=svc), timeout=5)
            assert r.status == g["health"].HealthCheckResponse.SERVING, (svc, r)
        expect_error(lambda: h.Check(g["health"].HealthCheckRequest(service="nope"), timeout=5),
                     g["grpc"].StatusCode.NOT_FOUND)
        refl = g["refl_grpc"].ServerReflectionStub(n.channel)
        resp = list(refl.ServerReflectionInfo(iter([g["refl"].ServerReflectionRequest(list_services="")]), timeout=5))
        names = sorted(s.name for s in resp[0].list_services_response.service)
        for want in ("agentanycast.v1.NodeService", "grpc.health.v1.Health", "grpc.reflection.v1.ServerReflection"):
            assert want in names, names
        resp = list(refl.ServerReflectionInfo(iter([g["refl"].ServerReflectionRequest(
            file_containing_symbol="agentanycast.v1.NodeService")]), timeout=5))
        assert len(resp[0].file_descriptor_response.file_descriptor_proto) >= 1
        n.close()
        # kill -9 leaves the socket file behind; the next daemon replaces it.
        n.d.signal(signal.SIGKILL)
        n.d.wait_exit(5)
        assert os.path.exists(path)
        n2 = Node(env)
        assert n2.info.peer_id == n.peer_id
        n2.close()
        n2.d.signal(signal.SIGTERM)
        assert n2.d.wait_exit(5) == 0
        assert not os.path.exists(path), "the socket file is removed at exit"
    finally:
        env.close()


def test_grpc_two_daemons_task_lifecycle_cards_peers():
    g = stubs()
    ns, grpc = g["ns"], g["grpc"]
    ea, eb, a, b = two_nodes()
    try:
        # ConnectPeer A -> B; both list each other.
        r = a.stub.ConnectPeer(ns.ConnectPeerRequest(peer_id=b.peer_id, addresses=[b.addr, "not-an-addr"]), timeout=10)
        assert r.peer_info.peer_id == b.peer_id
        assert r.peer_info.connected_at.seconds > 0
        peers = a.stub.ListPeers(ns.ListPeersRequest(), timeout=5).peers
        assert [p.peer_id for p in peers] == [b.peer_id], peers
        assert peers[0].addresses and peers[0].addresses[0].startswith("/ip4/127.0.0.1/tcp/"), peers
        deadline = time.monotonic() + 5
        while [p.peer_id for p in b.stub.ListPeers(ns.ListPeersRequest(), timeout=5).peers] != [a.peer_id]:
            assert time.monotonic() < deadline, "B never lists A"
            time.sleep(0.05)
        assert a.stub.GetNodeInfo(ns.GetNodeInfoRequest(), timeout=5).node_info.connected_peers == 1

        # SetAgentCard on B (as the SDK's Node.start) -> GetPeerCard on A.
        card = g["card"].AgentCard(name="echo agent", description="echoes", version="1.0.0", protocol_version="a2a/0.3",
                                   skills=[g["card"].Skill(id="echo", description="echo back")])
        b.stub.SetAgentCard(ns.SetAgentCardRequest(card=card), timeout=5)
        deadline = time.monotonic() + 10
        while True:
            try:
                got = a.stub.GetPeerCard(ns.GetPeerCardRequest(peer_id=b.peer_id), timeout=5).card
                break
            except grpc.RpcError as e:
                assert e.code() == grpc.StatusCode.NOT_FOUND, e
                assert time.monotonic() < deadline, "A never got B's card"
                time.sleep(0.1)
        assert got.name == "echo agent" and [s.id for s in got.skills] == ["echo"], got
        assert got.p2p_extension.peer_id == b.peer_id and got.p2p_extension.did_key.startswith("did:key:z6Mk"), got

        # B's agent, A's client.
        incoming = Stream(b.stub.SubscribeIncomingTasks(ns.SubscribeIncomingTasksRequest()))
        sent = a.stub.SendTask(ns.SendTaskRequest(peer_id=b.peer_id, message=text("summarize this"),
                                                  metadata={"k": "v"}), timeout=10).task
        assert sent.status == g["m"].TASK_STATUS_SUBMITTED and sent.originator_peer_id == "local", sent
        updates = Stream(a.stub.SubscribeTaskUpdates(ns.SubscribeTaskUpdatesRequest(task_id=sent.task_id)))
        ev = incoming.get()
        assert ev.task.task_id == sent.task_id and ev.task.originator_peer_id == a.peer_id, ev
        assert list(ev.task.messages) == [text("summarize this")], ev
        b.stub.UpdateTaskStatus(ns.UpdateTaskStatusRequest(task_id=sent.task_id, status=g["m"].TASK_STATUS_WORKING),
                                timeout=5)
        arts = [artifact("one", "first"), artifact("two", "second")]
        b.stub.CompleteTask(ns.CompleteTaskRequest(task_id=sent.task_id, artifacts=arts), timeout=5)
        u1, u2 = updates.get(), updates.get()
        assert (u1.task_id, u1.status) == (sent.task_id, g["m"].TASK_STATUS_WORKING), u1
        assert u2.status == g["m"].TASK_STATUS_COMPLETED and list(u2.artifacts) == arts, u2
        updates.cancel()
        whole = a.stub.GetTask(ns.GetTaskRequest(task_id=sent.task_id), timeout=5).task
        assert whole.status == g["m"].TASK_STATUS_COMPLETED
        assert list(whole.messages) == [text("summarize this")] and list(whole.artifacts) == arts, whole
        expect_error(lambda: b.stub.CompleteTask(ns.CompleteTaskRequest(task_id=sent.task_id), timeout=5),
                     grpc.StatusCode.FAILED_PRECONDITION, f"task {sent.task_id} is in terminal state COMPLETED")

        # FailTask: the client sees FAILED.
        t2 = a.stub.SendTask(ns.SendTaskRequest(peer_id=b.peer_id, message=text("fail me")), timeout=10).task
        up2 = Stream(a.stub.SubscribeTaskUpdates(ns.SubscribeTaskUpdatesRequest(task_id=t2.task_id)))
        assert incoming.get().task.task_id == t2.task_id
        b.stub.UpdateTaskStatus(ns.UpdateTaskStatusRequest(task_id=t2.task_id, status=g["m"].TASK_STATUS_WORKING),
                                timeout=5)
        b.stub.FailTask(ns.FailTaskRequest(task_id=t2.task_id, error_message="model overloaded"), timeout=5)
        assert up2.get().status == g["m"].TASK_STATUS_WORKING
        assert up2.get().status == g["m"].TASK_STATUS_FAILED
        up2.cancel()

        # CancelTask by the client: CANCELED on both daemons.
        t3 = a.stub.SendTask(ns.SendTaskRequest(peer_id=b.peer_id, message=text("cancel me")), timeout=10).task
        assert incoming.get().task.task_id == t3.task_id
        c = a.stub.CancelTask(ns.CancelTaskRequest(task_id=t3.task_id), timeout=5).task
        assert c.status == g["m"].TASK_STATUS_CANCELED
        deadline = time.monotonic() + 10
        while b.stub.GetTask(ns.GetTaskRequest(task_id=t3.task_id), timeout=5).task.status != g["m"].TASK_STATUS_CANCELED:
            assert time.monotonic() < deadline, "B never saw the cancel"
            time.sleep(0.05)
        # CancelTask by the agent: the client learns it.
        t4 = a.stub.SendTask(ns.SendTaskRequest(peer_id=b.peer_id, message=text("agent cancels")), timeout=10).task
        up4 = Stream(a.stub.SubscribeTaskUpdates(ns.SubscribeTaskUpdatesRequest(task_id=t4.task_id)))
        assert incoming.get().task.task_id == t4.task_id
        b.stub.CancelTask(ns.CancelTaskRequest(task_id=t4.task_id), timeout=5)
        assert up4.get().status == g["m"].TASK_STATUS_CANCELED
        up4.cancel()
        incoming.cancel()

        # Errors the SDK maps (upstream.md §2.3).
        expect_error(lambda: a.stub.SendTask(ns.SendTaskRequest(skill_id="echo", message=text("x")), timeout=5),
                     grpc.StatusCode.UNAVAILABLE, "anycast routing is not configured")
        expect_error(lambda: a.stub.SendTask(ns.SendTaskRequest(url="ftp://127.0.0.1:1/", message=text("x")), timeout=5),
                     grpc.StatusCode.INVALID_ARGUMENT, "url: must start with http:// or https://")
        # By URL to an agent that is not there: the task is accepted, then FAILED with the reason.
        tu = a.stub.SendTask(ns.SendTaskRequest(url="http://127.0.0.1:1/", message=text("x")), timeout=5).task
        assert tu.status == g["m"].TASK_STATUS_SUBMITTED, tu
        deadline = time.monotonic() + 15
        while True:
            got = a.stub.GetTask(ns.GetTaskRequest(task_id=tu.task_id), timeout=5).task
            if got.status == g["m"].TASK_STATUS_FAILED:
                why = got.messages[-1].parts[0].text_part.text
                assert "Connection refused" in why, why
                break
            assert time.monotonic() < deadline, f"url task still {got.status}"
            time.sleep(0.05)
        expect_error(lambda: a.stub.SendTask(ns.SendTaskRequest(peer_id=b.peer_id), timeout=5),
                     grpc.StatusCode.INVALID_ARGUMENT, "message is required")
        expect_error(lambda: a.stub.GetTask(ns.GetTaskRequest(task_id="nope"), timeout=5),
                     grpc.StatusCode.NOT_FOUND, "task not found: nope")
        expect_error(lambda: a.stub.ConnectPeer(ns.ConnectPeerRequest(peer_id="bogus"), timeout=5),
                     grpc.StatusCode.INVALID_ARGUMENT, prefix="invalid peer_id: ")
        expect_error(lambda: a.stub.Discover(ns.DiscoverRequest(skill_id="echo"), timeout=5),
                     grpc.StatusCode.UNAVAILABLE, "anycast routing is not configured")
        for n in (a, b):
            n.close()
            n.d.signal(signal.SIGTERM)
            assert n.d.wait_exit(5) == 0
    finally:
        ea.close()
        eb.close()


def test_grpc_streaming_artifact_to_a_local_task():
    """SendStreamingArtifact (client streaming) -> SubscribeTaskStream, in one daemon (as the original)."""
    g = stubs()
    ns, st = g["ns"], g["st"]
    env = Env()
    try:
        n = Node(env)
        incoming = Stream(n.stub.SubscribeIncomingTasks(ns.SubscribeIncomingTasksRequest()))
        t = n.stub.SendTask(ns.SendTaskRequest(peer_id=n.peer_id, message=text("to myself")), timeout=10).task
        assert incoming.get().task.task_id == t.task_id
        sub = Stream(n.stub.SubscribeTaskStream(ns.SubscribeTaskStreamRequest(task_id=t.task_id)))
        time.sleep(0.2)  # the subscription is in place before the first event (events without one are dropped)
        chunks = [bytes([i]) * 50000 for i in range(40)]

        def events():
            yield ns.SendStreamingArtifactRequest(stream_start=st.StreamStart(task_id=t.task_id, artifact_id="art",
                                                                               artifact_name="blob.bin"))
            for i, c in enumerate(chunks):
                yield ns.SendStreamingArtifactRequest(stream_chunk=st.StreamChunk(
                    task_id=t.task_id, artifact_id="art", sequence=i, data=c, is_last=i == len(chunks) - 1))
            yield ns.SendStreamingArtifactRequest(stream_end=st.StreamEnd(task_id=t.task_id, artifact_id="art",
                                                                           reason=st.STREAM_END_REASON_COMPLETE))
        n.stub.SendStreamingArtifact(events(), timeout=30)
        first = sub.get()
        assert first.WhichOneof("event") == "stream_start" and first.stream_start.artifact_name == "blob.bin"
        for i, c in enumerate(chunks):
            e = sub.get()
            assert e.WhichOneof("event") == "stream_chunk" and e.stream_chunk.sequence == i and e.stream_chunk.data == c
        assert sub.get().WhichOneof("event") == "stream_end"
        sub.cancel()
        incoming.cancel()
        n.close()
    finally:
        env.close()

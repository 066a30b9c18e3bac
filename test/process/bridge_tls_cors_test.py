"""Issue 6: the HTTP bridge served over TLS (bridge.tls_cert / tls_key,
OpenSSL) to a verifying client, refused to clients that do not trust its
CA, and CORS preflights answered per bridge.cors_origins (allowed origin:
204 with Access-Control-Allow-Origin; another origin: 403) — against the
real daemon. The certificate is made by the openssl CLI for this run."""
import http.client
import json
import os
import shutil
import socket
import ssl
import subprocess

from harness import Env, Skip, binary, free_port

ALLOWED = "http://allowed.example"


def make_certs(d):
    """A CA and a server certificate for 127.0.0.1 / localhost signed by it."""
    def run(*a):
        subprocess.run(["openssl", *a], cwd=d, check=True, capture_output=True, timeout=30)
    run("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "2",
        "-subj", "/CN=aac test CA", "-keyout", "ca.key", "-out", "ca.pem")
    run("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-subj", "/CN=localhost",
        "-keyout", "srv.key", "-out", "srv.csr")
    with open(os.path.join(d, "ext.cnf"), "w") as f:
        f.write("subjectAltName=DNS:localhost,IP:127.0.0.1\n")
    run("x509", "-req", "-in", "srv.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-days", "2",
        "-extfile", "ext.cnf", "-out", "srv.pem")
    os.chmod(os.path.join(d, "srv.key"), 0o600)


def start_bridge(env):
    make_certs(env.dir)
    port = free_port()
    cfg = os.path.join(env.dir, "bridge.toml")
    with open(cfg, "w") as f:
        f.write('[bridge]\nenabled = true\nlisten = "127.0.0.1:%d"\ntls_cert = "%s"\ntls_key = "%s"\n'
                'cors_origins = ["%s"]\n' % (port, os.path.join(env.dir, "srv.pem"),
                                             os.path.join(env.dir, "srv.key"), ALLOWED))
    d = env.start([binary("agentanycastd"), "-config", cfg, "-listen", "/ip4/127.0.0.1/tcp/0"])
    d.wait_json("started", timeout=10)
    return port


def https(port, method, path, headers=None, ca=None):
    ctx = ssl.create_default_context(cafile=ca) if ca else ssl.create_default_context()
    c = http.client.HTTPSConnection("127.0.0.1", port, context=ctx, timeout=5)
    try:
        c.request(method, path, headers=headers or {})
        r = c.getresponse()
        return r.status, {k.lower(): v for k, v in r.getheaders()}, r.read().decode()
    finally:
        c.close()


def test_bridge_over_tls_verified_by_its_ca_and_refused_otherwise():
    if not shutil.which("openssl"):
        raise Skip("openssl CLI not installed")
    env = Env()
    try:
        port = start_bridge(env)
        ca = os.path.join(env.dir, "ca.pem")
        # A JSON-RPC call over TLS: unknown task -> A2A error, proving the bridge answers.
        body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": "tasks/get", "params": {"id": "nope"}})
        ctx = ssl.create_default_context(cafile=ca)
        c = http.client.HTTPSConnection("127.0.0.1", port, context=ctx, timeout=5)
        c.request("POST", "/", body=body, headers={"Content-Type": "application/json"})
        r = c.getresponse()
        got = json.loads(r.read())
        assert r.status == 200, r.status
        assert got.get("error", {}).get("code") == -32001, got
        assert c.sock.version() in ("TLSv1.3", "TLSv1.2"), c.sock.version()
        print(f"  TLS {c.sock.version()}, cipher {c.sock.cipher()[0]}; tasks/get unknown -> {got['error']}")
        c.close()
        # A client that does not trust the test CA refuses the server.
        try:
            https(port, "GET", "/.well-known/agent-card.json")
            raise AssertionError("a client without the test CA accepted the certificate")
        except ssl.SSLCertVerificationError as e:
            print(f"  without the CA: {e.verify_message}")
        # Plain HTTP to the TLS port gets no HTTP answer.
        s = socket.create_connection(("127.0.0.1", port), timeout=5)
        s.sendall(b"GET /.well-known/agent-card.json HTTP/1.1\r\nHost: x\r\n\r\n")
        try:
            data = s.recv(100)
        except (ConnectionResetError, socket.timeout):
            data = b""
        s.close()
        assert not data.startswith(b"HTTP/1.1 200"), data
    finally:
        env.close()


def test_cors_preflight_allowed_origin_204_other_origin_403():
    if not shutil.which("openssl"):
        raise Skip("openssl CLI not installed")
    env = Env()
    try:
        port = start_bridge(env)
        ca = os.path.join(env.dir, "ca.pem")
        pre = {"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type"}
        st, h, _ = https(port, "OPTIONS", "/", {"Origin": ALLOWED, **pre}, ca=ca)
        assert st == 204, st
        assert h.get("access-control-allow-origin") == ALLOWED, h
        assert "POST" in h.get("access-control-allow-methods", ""), h
        st, h, text = https(port, "OPTIONS", "/", {"Origin": "http://evil.example", **pre}, ca=ca)
        assert st == 403, (st, text)
        assert "access-control-allow-origin" not in h, h
        # A simple request from another origin is served but gets no CORS grant,
        # so a browser withholds the answer from that page.
        st, h, _ = https(port, "GET", "/.well-known/agent-card.json", {"Origin": "http://evil.example"}, ca=ca)
        assert "access-control-allow-origin" not in h, h
        st2, h2, _ = https(port, "GET", "/.well-known/agent-card.json", {"Origin": ALLOWED}, ca=ca)
        assert st2 == st and h2.get("access-control-allow-origin") == ALLOWED, (st2, h2)
        print(f"  preflight {ALLOWED}: 204; http://evil.example: 403; card GET {st} with/without grant")
    finally:
        env.close()

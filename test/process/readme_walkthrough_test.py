"""Issue 5: the README's Python walkthrough, run as written.

The blocks under <!-- walkthrough:shell -->, <!-- walkthrough:agent.py -->
and <!-- walkthrough:client.py --> are taken from README.md. Only what ties
them to one machine changes: /tmp/aac becomes a temporary directory, the
ports become free ones, build/ becomes AAC_BUILD_DIR, proto/ the repository's,
and the apt-get line goes (make test installed the packages). The client's
output must show WORKING then COMPLETED with the agent's artifact.
"""
import os
import re
import signal
import subprocess
import tempfile
import shutil

from harness import Skip, binary, free_port

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def blocks():
    text = open(os.path.join(ROOT, "README.md"), encoding="utf-8").read()
    out = {}
    for name, body in re.findall(r"<!-- walkthrough:(\S+) -->\s*```\w*\n(.*?)```", text, re.S):
        out[name] = body
    for need in ("shell", "agent.py", "client.py"):
        assert need in out, f"README.md has no walkthrough block {need}"
    return out


def test_readme_python_walkthrough_runs_as_written():
    try:
        import grpc_tools  # noqa: F401
    except ImportError as e:
        raise Skip(f"python3-grpc-tools missing: {e}")
    daemon = binary("agentanycastd")
    work = tempfile.mkdtemp(prefix="aac-walk-")
    pa, pb = free_port(), free_port()

    def adapt(s):
        s = s.replace("/tmp/aac", work)
        s = s.replace("tcp/4101", f"tcp/{pa}").replace("tcp/4102", f"tcp/{pb}")
        s = s.replace("build/agentanycastd", daemon)
        s = s.replace("-Iproto", f"-I{ROOT}/proto").replace(" proto/agentanycast", f" {ROOT}/proto/agentanycast")
        return s

    b = blocks()
    shell = "\n".join(l for l in adapt(b["shell"]).splitlines() if not l.startswith("apt-get "))
    for f in ("agent.py", "client.py"):
        with open(os.path.join(work, f), "w") as fh:
            fh.write(adapt(b[f]))
    env = {k: v for k, v in os.environ.items() if not k.startswith("AGENTANYCAST_")}
    env["HOME"] = work
    # Output to a file, not a pipe: the daemons and the agent stay in the
    # background holding it; we wait for the shell (it ends with the client).
    log_path = os.path.join(work, "walkthrough.log")
    with open(log_path, "w") as log:
        p = subprocess.Popen(["bash", "-euc", shell], cwd=work, env=env, stdout=log, stderr=subprocess.STDOUT,
                             start_new_session=True)
    try:
        p.wait(timeout=60)
    except subprocess.TimeoutExpired:
        raise AssertionError(f"walkthrough did not finish in 60 s; output:\n{open(log_path).read()}")
    finally:
        try:
            os.killpg(p.pid, signal.SIGTERM)  # the daemons and the agent it left in the background
        except ProcessLookupError:
            pass
    out = open(log_path).read()
    try:
        print(out.strip())
        assert p.returncode == 0, f"walkthrough exited with {p.returncode}:\n{out}"
        lines = [l for l in out.splitlines() if l.startswith(("WORKING", "COMPLETED"))]
        assert lines and lines[-1] == "COMPLETED ['HELLO, AGENT']", f"client output:\n{out}"
        assert any(l.startswith("task ") and ": hello, agent" in l for l in out.splitlines()), \
            f"the agent did not print the task:\n{out}"
    finally:
        shutil.rmtree(work, ignore_errors=True)

#!/usr/bin/env python3
"""Raw TCP/UDP hole-punch probe, no libp2p: what a stack that dials from its listen port
(port reuse, as go/rust libp2p do) gets through a given NAT flavour.

  punch.py tcp|udp LOCAL_IP LOCAL_PORT REMOTE_IP REMOTE_PORT [SECONDS]

Run it on both sides at once with mirrored arguments (remote = the other NAT's public IP and
the other side's local port). TCP: bind with SO_REUSEADDR/SO_REUSEPORT and connect again and
again until a simultaneous open succeeds. UDP: send every 100 ms from the bound socket until a
datagram arrives. Prints one JSON line; exit 0 on success.
"""
import json, socket, sys, time

proto, lip, lport, rip, rport = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], int(sys.argv[5])
dur = float(sys.argv[6]) if len(sys.argv) > 6 else 5.0
t0 = time.time()
res = {"proto": proto, "local": f"{lip}:{lport}", "remote": f"{rip}:{rport}", "ok": False}
if proto == "tcp":
    tries = 0
    while time.time() - t0 < dur:
        tries += 1
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        s.bind((lip, lport))
        s.settimeout(1.0)
        try:
            s.connect((rip, rport))
            s.sendall(b"hello from " + lip.encode())
            data = s.recv(100)
            res.update(ok=True, tries=tries, got=data.decode(errors="replace"))
            s.close()
            break
        except OSError as e:
            res["last_error"] = str(e)
            s.close()
            time.sleep(0.05)
else:
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((lip, lport))
    s.settimeout(0.1)
    while time.time() - t0 < dur:
        s.sendto(b"hello from " + lip.encode(), (rip, rport))
        try:
            data, addr = s.recvfrom(100)
            s.sendto(b"ack from " + lip.encode(), (rip, rport))  # lets the other side finish too
            res.update(ok=True, peer=f"{addr[0]}:{addr[1]}", got=data.decode(errors="replace"))
            break
        except OSError:
            pass
res["ms"] = round((time.time() - t0) * 1000)
print(json.dumps(res))
sys.exit(0 if res["ok"] else 1)

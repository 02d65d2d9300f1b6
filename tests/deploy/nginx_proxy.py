"""nginx with the shipped configuration (deploy/nginx/rapid.conf) in front of given
``rapid serve`` ports, for the deploy tests and the several-process benchmark."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from core.pg_cluster import free_port

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ROOT / "deploy" / "nginx" / "rapid.conf"
NGINX = shutil.which("nginx") or next(
    (p for p in ("/usr/sbin/nginx", "/usr/local/sbin/nginx") if os.access(p, os.X_OK)), None
)


def render_config(tmp: Path, listen: int, backends: list[int], connections: int = 256) -> Path:
    """The shipped rapid.conf with this test's ports and paths, inside a minimal nginx.conf."""
    text = SHIPPED.read_text()
    substitutions = {
        "server 127.0.0.1:8601": f"server 127.0.0.1:{backends[0]}",
        "server 127.0.0.1:8602": f"server 127.0.0.1:{backends[1]}",
        "listen 80;": f"listen 127.0.0.1:{listen};",
        "/var/log/nginx/": f"{tmp}/",
    }
    for placeholder, value in substitutions.items():
        # outside comments, each placeholder is on exactly one line
        live = [ln for ln in text.splitlines() if placeholder in ln.split("#", 1)[0]]
        if len(live) != 1:
            raise RuntimeError(f"rapid.conf: expected {placeholder!r} once, found {len(live)}")
        text = "\n".join(
            ln.replace(placeholder, value) if placeholder in ln.split("#", 1)[0] else ln
            for ln in text.splitlines()
        )
    (tmp / "rapid.conf").write_text(text + "\n")
    temp_paths = "\n".join(
        f"    {kind}_temp_path {tmp}/{kind}_temp;"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    # As root, nginx's workers would switch to `nobody`, who cannot enter pytest's 0700 folder.
    user = "user root;\n" if os.geteuid() == 0 else ""
    main = tmp / "nginx.conf"
    main.write_text(
        f"{user}worker_processes 1;\n"
        f"error_log {tmp}/error.log info;\n"
        f"pid {tmp}/nginx.pid;\n"
        f"events {{ worker_connections {int(connections)}; }}\n"
        "http {\n"
        f"{temp_paths}\n"
        f"    include {tmp}/rapid.conf;\n"
        "}\n"
    )
    return main


def wait_port(port: int, proc: subprocess.Popen, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"nginx exited with code {proc.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    raise TimeoutError(f"nginx not listening on {port} after {timeout} s")


def stop(proc: subprocess.Popen, timeout: float = 15) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@contextmanager
def running_nginx(tmp: Path, backends: list[int], connections: int = 256) -> Iterator[int]:
    """nginx with the shipped configuration in front of ``backends`` (``nginx -t`` must accept
    it): yields the port it listens on, then stops it gracefully (the requests in flight
    finish; killed after 10 s)."""
    listen = free_port()
    conf = render_config(tmp, listen, backends, connections)
    checked = subprocess.run(
        [NGINX, "-t", "-p", str(tmp), "-e", str(tmp / "error.log"), "-c", str(conf)],
        capture_output=True,
        text=True,
    )
    if checked.returncode != 0:
        raise RuntimeError(f"nginx -t rejected the config:\n{checked.stderr}")
    nginx = subprocess.Popen(
        [NGINX, "-p", str(tmp), "-e", str(tmp / "error.log"), "-c", str(conf)]
        + ["-g", "daemon off;"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )
    try:
        wait_port(listen, nginx)
        yield listen
    finally:
        nginx.send_signal(signal.SIGQUIT)
        try:
            nginx.wait(timeout=10)
        except subprocess.TimeoutExpired:
            nginx.kill()
            nginx.wait()

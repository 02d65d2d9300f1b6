"""The suite's server: Streamlit's staff pages and the citizens' light HTML pages on one port.

``rapid serve`` runs this file with ``streamlit run``, which finds the ``st.App`` below and
serves it with uvicorn. Streamlit keeps its own routes; ours (``core.web.routes``) come first,
and ``WebGuard`` adds the security headers and the body cap to ours only, and dispatches a
request of ours to its route directly (not through the rest of the server's stack).
"""

from pathlib import Path

import streamlit as st
from starlette.middleware import Middleware

from core.retention import start_daily
from core.web.routes import web_routes
from core.web.security import WebGuard, install_log_redaction

install_log_redaction()
start_daily()  # the daily purge (core.retention): once a day across every server process

routes = web_routes()
app = st.App(
    str(Path(__file__).resolve().parent.parent / "ui" / "app.py"),
    routes=routes,
    middleware=[Middleware(WebGuard, routes=routes)],
)

"""The citizens' light web pages: plain HTML beside Streamlit on the same server.

``core.web.server`` is the ASGI application ``rapid serve`` runs; ``core.web.routes`` builds
the routes of every app's ``WebPage``; ``core.web.http`` is what a page handler sees;
``core.web.security`` the guards every page gets (form tokens used once, rate limits, body cap,
security headers, tokens kept out of logs); ``core.web.layout`` the page shell.
"""

"""Emergency apps without Python: a whole app from one definition workbook.

An officer writes an XLSForm workbook (``survey``, ``choices``, ``settings``) plus four sheets
of ours (``app``, ``roles``, ``rules``, ``panels``); the platform turns it into an ``App``
manifest held in memory (pages, panels, token type, roles, texts) served by one generic
service. Authors' guide: docs/FIRST-APP.md. The modules:

- ``workbook``: read and check a definition workbook (every problem with sheet, row, column);
- ``manifest``: a checked ``Definition`` -> the ``App`` the registry serves;
- ``install``: the ``definition_apps`` table (every version kept), each app's own table
  (DDL from checked identifiers only), activation, deactivation, the folder import and the
  generation counter every server process watches;
- ``service``: the generic workflow (submit, review, issue, revoke, lists, exports, panels),
  free of any UI library;
- ``pages``: the staff's Streamlit pages of a definition app and the admin page;
- ``web``: citizens' light HTML pages of a public app (``/a/<app_id>``: the form, the look-up);
- ``token``: the claims model and the checkpoint rule (declared conditions, CertLogic);
- ``starter``: the starting workbook of ``rapid apps new`` and the examples' builder.

Definitions are data: nothing in a workbook is executed; expressions go through the forms
core's safe evaluator; table and column names are derived and checked.
"""

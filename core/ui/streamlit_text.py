"""Streamlit's own words in the chosen language.

Streamlit writes a few texts of its widgets in English whatever the page's language: the
empty choice boxes ("Choose options"), the bulk choice ("Select all"), the typing hints
("Press Enter to submit form"), the file uploader ("Drag and drop a file here", "Upload",
"20MB per file"), the camera ("Take Photo", "Clear photo"), the date picker's calendar
(its buttons, and the month names React Aria writes in the browser's language, not the
page's). ``inject`` puts a small script on the page that rewrites exactly those
texts, and the ``placeholder``/``aria-label`` attributes that carry them, as they appear
(a ``MutationObserver``: Streamlit redraws widgets at any time). Each text is a catalogue
entry (``stw.*``) whose English is Streamlit's own wording; in English mode the script turns
any Vietnamese left from before a language switch back into Streamlit's English.

The same block carries one rule of Streamlit's own layout: a key figure (``st.metric``) is
never cut with an ellipsis; its size follows the width of its card.
"""

from __future__ import annotations

import json
import re

from core.i18n import t_in

EXACT: tuple[str, ...] = (
    "stw.choose_options",
    "stw.choose_option",
    "stw.select_all",
    "stw.no_results",
    "stw.clear_all",
    "stw.enter_submit",
    "stw.enter_apply",
    "stw.ctrl_enter_submit",
    "stw.ctrl_enter_apply",
    "stw.cmd_enter_submit",
    "stw.cmd_enter_apply",
    "stw.drop_file",
    "stw.drop_files",
    "stw.upload",
    "stw.browse_files",
    "stw.take_photo",
    "stw.clear_photo",
    "stw.switch_camera",
    "stw.camera_ask",
    "stw.camera_help",
    "stw.show_password",
    "stw.hide_password",
    "stw.choose_date",
    "stw.prev_month",
    "stw.next_month",
    "stw.calendar_keys",
    *(f"stw.month.{n}" for n in range(1, 13)),
)
"""Whole texts: the English is Streamlit's wording, character for character."""

PATTERNS: tuple[str, ...] = ("stw.per_file", "stw.select_matches")
"""Texts with one value in them (``{value}`` in both languages): a size, a count."""

VALUE = r"([0-9][0-9.,]*\s?[A-Za-z]*)"


def _regex(text: str) -> str:
    return "^" + re.escape(text).replace(re.escape("{value}"), VALUE) + "$"


def _month_year(locale: str, n: int) -> str:
    """The date picker's heading for month ``n`` (the year left as ``{value}``)."""
    return t_in(locale, "stw.month_year").format(
        month=t_in(locale, f"stw.month.{n}"), number=n, value="{value}"
    )


def pairs(locale: str) -> list[tuple[str, str]]:
    """(the other language's text, ``locale``'s text) for every text translated, with
    ``{value}`` where a pattern holds a value."""
    other = "en" if locale == "vi" else "vi"
    out = [(t_in(other, key), t_in(locale, key)) for key in EXACT + PATTERNS]
    for n in range(1, 13):
        source, target = _month_year(other, n), _month_year(locale, n)
        out.append((source, target))
        # the calendar's title for screen readers, "Choose date, November 2026": Streamlit's
        # English words, the month in the browser's language, or both already ours
        title = t_in(locale, "stw.choose_month").replace("{month_year}", target)
        for words in {t_in("en", "stw.choose_month"), t_in(other, "stw.choose_month")}:
            out.append((words.replace("{month_year}", source), title))
    return [(source, target) for source, target in out if source != target]


def rules(locale: str) -> list[tuple[str, str]]:
    """(JavaScript regular expression, replacement) pairs turning the other language's texts
    into ``locale``'s; ``$1`` is the value of a pattern."""
    return [(_regex(source), target.replace("{value}", "$1")) for source, target in pairs(locale)]


SCRIPT = """<style>
  [data-testid="stElementContainer"]:has(script[data-rrs="streamlit-text"]) { display: none; }
  /* a key figure is never cut to "6.131…": its size follows its card's width, and a figure
     still too wide wraps instead of ending in an ellipsis */
  [data-testid="stMetric"] { container-type: inline-size; }
  [data-testid="stMetricValue"] { font-size: clamp(1rem, 14cqi, 2.25rem); }
  [data-testid="stMetricValue"] * {
    text-overflow: clip !important; white-space: normal !important; overflow-wrap: anywhere;
  }
</style>
<script data-rrs="streamlit-text">
(() => {
  const rules = %s.map(([re, to]) => [new RegExp(re), to]);
  const fix = (text) => {
    const trimmed = text.trim();
    if (!trimmed || trimmed.length > 80) return null;
    for (const [re, to] of rules) {
      if (re.test(trimmed)) return text.replace(trimmed, trimmed.replace(re, to));
    }
    return null;
  };
  const ATTRS = ["placeholder", "aria-label"];
  const visit = (node) => {
    if (node.nodeType === Node.TEXT_NODE) {
      const out = fix(node.data);
      if (out !== null && out !== node.data) node.data = out;
      return;
    }
    if (node.nodeType !== Node.ELEMENT_NODE) return;
    const all = [node, ...node.querySelectorAll("*")];
    for (const el of all) {
      for (const name of ATTRS) {
        const value = el.getAttribute(name);
        const out = value === null ? null : fix(value);
        if (out !== null && out !== value) el.setAttribute(name, out);
      }
    }
    const walker = document.createTreeWalker(node, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) visit(n);
  };
  const root = document.body;
  window.__rrsStreamlitText?.disconnect();
  const observer = new MutationObserver((records) => {
    for (const r of records) {
      if (r.type === "childList") r.addedNodes.forEach(visit);
      else visit(r.target);
    }
  });
  observer.observe(root, {
    subtree: true, childList: true, characterData: true,
    attributes: true, attributeFilter: ATTRS,
  });
  window.__rrsStreamlitText = observer;
  visit(root);
})();
</script>"""


def script(locale: str) -> str:
    """The page script for ``locale`` (the rules are JSON: no text of ours becomes code)."""
    return SCRIPT % json.dumps(rules(locale), ensure_ascii=False).replace("</", "<\\/")


def inject(locale: str) -> None:
    """Put the script on the page (once per run; a changed language replaces it)."""
    import streamlit as st

    st.html(script(locale), unsafe_allow_javascript=True, width="content")

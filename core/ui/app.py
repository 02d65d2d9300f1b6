"""The suite's single Streamlit entry script: ``streamlit run core/ui/app.py``."""

import streamlit as st

from core.config import get_settings
from core.ui import streamlit_text
from core.ui.charts import use_theme
from core.ui.session import browser_locale
from core.ui.shell import main

# every chart in the formats of the language of the session drawing it (months, 24-hour
# times, 6.131.000), also the charts a page draws without core.ui.charts.show_chart
use_theme()
# Streamlit's own widget texts in the session's language (the sidebar's choice, else the
# first visit's: the same rule as the shell's); first, so a page that stops early has it too
streamlit_text.inject(st.session_state.get("locale") or browser_locale(get_settings().locale))
main()

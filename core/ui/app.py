"""The suite's single Streamlit entry script: ``streamlit run core/ui/app.py``."""

from core.ui.shell import main

main()

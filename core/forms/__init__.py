"""The forms core: declare a field once.

A form is data (``Form``: fields with type, labels and hints in Vietnamese and English,
required, default, choices, a constraint and its message, a relevance condition), written in
Python or loaded from an XLSForm workbook (``core.forms.xlsform``). From it come the validation
(``Form.validate`` -> typed values or ``FormInvalid`` with an error per field), the storage
columns (``core.forms.storage``), the table-upload reader and its template
(``core.forms.table``), and the renderers: Streamlit widgets for staff
(``core.forms.streamlit_form``) and light HTML pages for citizens (``core.forms.html_form``).

Importing this package does not import Streamlit or pandas.
"""

from importlib import import_module
from typing import Any

_EXPORTS = {
    "Choice": "core.forms.choices",
    "ChoiceList": "core.forms.choices",
    "choice_list": "core.forms.choices",
    "FORM": "core.forms.errors",
    "FieldError": "core.forms.errors",
    "FormInvalid": "core.forms.errors",
    "RowError": "core.forms.errors",
    "ExpressionError": "core.forms.expressions",
    "compile_expression": "core.forms.expressions",
    "DefinitionError": "core.forms.model",
    "Field": "core.forms.model",
    "Form": "core.forms.model",
    "Group": "core.forms.model",
    "Origin": "core.forms.model",
    "Problem": "core.forms.model",
    "Column": "core.forms.storage",
    "columns": "core.forms.storage",
    "row": "core.forms.storage",
    "Text": "core.forms.text",
    "TYPES": "core.forms.types",
    "Upload": "core.forms.types",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    """The public names, imported on first use (so a submodule imports only what it needs)."""
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'core.forms' has no attribute {name!r}")
    return getattr(import_module(module), name)

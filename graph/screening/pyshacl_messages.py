"""pySHACL's sh:message substitution, mended: values are put into a message as they are.

pySHACL 0.x fills `{?var}` / `{$var}` with `re.sub(pattern, str(value), message)` for every variable the
query binds, used in the message or not. The value is read as a replacement template, so a value holding a
backslash is not taken literally: "\\s" (an item typed as `x\\sy`) raises re.error and fails the whole
validation, and "\\n" becomes a line break. A transaction's own text reaches `?value` (the unknown-item rule
reports the item as given), so a typo could stop the reference engine. `install()` replaces the method with
one that substitutes each value literally — what the fast engine does (graph.screening.engines.fill_message).
"""

from __future__ import annotations

from typing import Any


def fill(message: str, variables: dict[str, Any]) -> str:
    """Each `{?name}` / `{$name}` of `message` replaced by its variable's value, taken literally."""
    for name, value in variables.items():
        text = str(value)
        message = message.replace(f"{{?{name}}}", text).replace(f"{{${name}}}", text)
    return message


def _bound(bound_vars: Any) -> dict[str, Any] | None:
    """The variables pySHACL hands its message formatter: (this, path, value[, others]) or a dict."""
    if isinstance(bound_vars, dict):
        return dict(bound_vars)
    if not isinstance(bound_vars, (tuple, list)):
        return None
    found: dict[str, Any] = dict(bound_vars[3]) if len(bound_vars) == 4 else {}
    if len(bound_vars) >= 3:
        for name, value in zip(("this", "path", "value"), bound_vars[:3], strict=True):
            if value is not None:
                found[name] = value
    return found


def _format_sparql_based_result_message(self: Any, msg: Any, bound_vars: Any) -> Any:
    variables = None if bound_vars is None else _bound(bound_vars)
    return msg if variables is None else fill(msg, variables)


def install() -> None:
    """Mend pySHACL's message substitution (idempotent)."""
    from pyshacl.constraints.constraint_component import ConstraintComponent

    ConstraintComponent._format_sparql_based_result_message = _format_sparql_based_result_message  # type: ignore[method-assign]

"""A notebook's parameters, read from its ``parameters`` cell, and validation of given values.

Each line of the cell tagged ``parameters`` is ``name: type = default  # help`` (a bare
``name: type  # help`` declares a required parameter).  The cell is parsed with :mod:`ast`, never
executed, so values are checked **before any kernel starts**.

Supported types: ``str``, ``int``, ``float``, ``bool``, ``list[T]``, ``dict[str, T]``, ``T | None``
(and ``Optional[T]``), ``Any``.
"""

from __future__ import annotations

import ast
import io
import json
import os
import tokenize
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from workbench.errors import ParameterError

PARAMETERS_TAG = "parameters"
_SCALARS = {"str": str, "int": int, "float": float, "bool": bool}
_TRUE = {"true", "yes", "1", "on"}
_FALSE = {"false", "no", "0", "off"}
_REQUIRED = object()


@dataclass(frozen=True)
class TypeSpec:
    """A parsed annotation: ``kind`` is a scalar name, ``list``, ``dict``, ``optional`` or ``any``."""

    kind: str
    args: tuple[TypeSpec, ...] = ()

    def __str__(self) -> str:
        if self.kind == "list":
            return f"list[{self.args[0]}]"
        if self.kind == "dict":
            return f"dict[str, {self.args[0]}]"
        if self.kind == "optional":
            return f"{self.args[0]} | None"
        if self.kind == "any":
            return "Any"
        return self.kind

    def accepts(self, value: Any) -> bool:
        """True when ``value`` has this type (``int`` is accepted for ``float``, ``bool`` is not an int)."""
        if self.kind == "any":
            return True
        if self.kind == "optional":
            return value is None or self.args[0].accepts(value)
        if self.kind == "list":
            return isinstance(value, list | tuple) and all(self.args[0].accepts(v) for v in value)
        if self.kind == "dict":
            return isinstance(value, dict) and all(
                isinstance(k, str) and self.args[0].accepts(v) for k, v in value.items()
            )
        if self.kind == "bool":
            return isinstance(value, bool)
        if self.kind == "int":
            return isinstance(value, int) and not isinstance(value, bool)
        if self.kind == "float":
            return isinstance(value, int | float) and not isinstance(value, bool)
        return isinstance(value, str)

    def from_text(self, text: str) -> Any:
        """Convert a command-line string (``-p name value``) to this type; ValueError if impossible."""
        if self.kind in {"str", "any"}:
            return text
        if self.kind == "optional":
            return (
                None
                if text.strip().lower() in {"none", "null", ""}
                else self.args[0].from_text(text)
            )
        if self.kind == "int":
            return int(text)
        if self.kind == "float":
            return float(text)
        if self.kind == "bool":
            low = text.strip().lower()
            if low in _TRUE:
                return True
            if low in _FALSE:
                return False
            raise ValueError(f"{text!r} is not a boolean (true/false)")
        if self.kind == "list":
            stripped = text.strip()
            items: list[Any] = (
                json.loads(stripped)
                if stripped.startswith("[")
                else [p.strip() for p in stripped.split(",") if p.strip()]
            )
            if not isinstance(items, list):
                raise ValueError(f"{text!r} is not a list")
            return [v if not isinstance(v, str) else self.args[0].from_text(v) for v in items]
        value = json.loads(text)  # dict
        if not isinstance(value, dict):
            raise ValueError(f"{text!r} is not a JSON object")
        return value


@dataclass(frozen=True)
class Parameter:
    """One notebook parameter as declared in its ``parameters`` cell."""

    name: str
    type: TypeSpec
    default: Any
    help: str
    line: int

    @property
    def required(self) -> bool:
        return self.default is _REQUIRED

    def describe(self) -> str:
        """``name: type = default  # help`` (``(required)`` when it has no default)."""
        default = "(required)" if self.required else f"= {self.default!r}"
        text = f"{self.name}: {self.type} {default}"
        return f"{text}  # {self.help}" if self.help else text


def _type_from_ast(node: ast.expr, where: str) -> TypeSpec:
    if isinstance(node, ast.Name) and node.id in _SCALARS:
        return TypeSpec(node.id)
    if isinstance(node, ast.Name) and node.id == "Any":
        return TypeSpec("any")
    if isinstance(node, ast.Constant) and node.value is None:
        return TypeSpec("none")
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        left, right = _type_from_ast(node.left, where), _type_from_ast(node.right, where)
        if right.kind == "none" and left.kind != "none":
            return TypeSpec("optional", (left,))
        if left.kind == "none" and right.kind != "none":
            return TypeSpec("optional", (right,))
    if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name):
        outer = node.value.id
        if outer in {"list", "List"}:
            return TypeSpec("list", (_type_from_ast(node.slice, where),))
        if outer == "Optional":
            return TypeSpec("optional", (_type_from_ast(node.slice, where),))
        if (
            outer in {"dict", "Dict"}
            and isinstance(node.slice, ast.Tuple)
            and len(node.slice.elts) == 2
        ):
            key = _type_from_ast(node.slice.elts[0], where)
            if key.kind != "str":
                raise ParameterError(f"{where}: dict parameters need str keys")
            return TypeSpec("dict", (_type_from_ast(node.slice.elts[1], where),))
    raise ParameterError(
        f"{where}: unsupported parameter type {ast.unparse(node)!r} "
        "(use str, int, float, bool, list[T], dict[str, T], T | None)"
    )


def _comments(source: str) -> dict[int, str]:
    found: dict[int, str] = {}
    try:
        for tok in tokenize.generate_tokens(io.StringIO(source).readline):
            if tok.type == tokenize.COMMENT:
                found[tok.start[0]] = tok.string.lstrip("#").strip()
    except (tokenize.TokenError, IndentationError):
        pass
    return found


def parse_parameters_source(source: str, notebook: str = "<notebook>") -> list[Parameter]:
    """Parse the text of a ``parameters`` cell into :class:`Parameter` objects."""
    try:
        tree = ast.parse(source)
    except SyntaxError as exc:
        raise ParameterError(
            f"{notebook}: parameters cell, line {exc.lineno}: not valid Python ({exc.msg})"
        ) from None
    comments = _comments(source)
    params: list[Parameter] = []
    for stmt in tree.body:
        where = f"{notebook}: parameters cell, line {stmt.lineno}"
        if not isinstance(stmt, ast.AnnAssign) or not isinstance(stmt.target, ast.Name):
            raise ParameterError(
                f"{where}: {ast.unparse(stmt)!r} is not of the form `name: type = default  # help`"
            )
        name = stmt.target.id
        type_spec = _type_from_ast(stmt.annotation, where)
        if stmt.value is None:
            default: Any = _REQUIRED
        else:
            try:
                default = ast.literal_eval(stmt.value)
            except ValueError:
                raise ParameterError(
                    f"{where}: default of {name!r} must be a literal, got {ast.unparse(stmt.value)!r}"
                ) from None
            if not type_spec.accepts(default):
                raise ParameterError(
                    f"{where}: default {default!r} of {name!r} is not a {type_spec}"
                )
        if any(p.name == name for p in params):
            raise ParameterError(f"{where}: parameter {name!r} is declared twice")
        help_text = comments.get(stmt.end_lineno or stmt.lineno, "")
        params.append(Parameter(name, type_spec, default, help_text, stmt.lineno))
    return params


def parameters_cell(nb: Any, notebook: str = "<notebook>") -> str:
    """Source of the first code cell tagged ``parameters``; ParameterError when there is none."""
    for cell in nb.get("cells", []):
        tags = cell.get("metadata", {}).get("tags", [])
        if cell.get("cell_type") == "code" and PARAMETERS_TAG in tags:
            source = cell.get("source", "")
            return "".join(source) if isinstance(source, list) else source
    raise ParameterError(
        f"{notebook} has no code cell tagged 'parameters'; every batch notebook must declare its "
        "parameters there (one line each: `name: type = default  # help`)"
    )


def read_notebook_json(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Load a notebook's JSON (without nbformat: cheap, and enough to read its cells)."""
    path = Path(path)
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ParameterError(f"notebook {path} does not exist") from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise ParameterError(f"notebook {path} is not valid notebook JSON: {exc}") from None


def notebook_parameters(path: str | os.PathLike[str]) -> list[Parameter]:
    """The parameters declared by a notebook file."""
    return parse_parameters_source(parameters_cell(read_notebook_json(path), str(path)), str(path))


def _listing(notebook: str, params: list[Parameter]) -> str:
    lines = [f"parameters of {notebook}:"]
    lines += [f"  {p.describe()}" for p in params] or ["  (none)"]
    return "\n".join(lines)


def validate_values(
    params: list[Parameter],
    given: dict[str, Any],
    notebook: str = "<notebook>",
    *,
    from_text: bool = False,
) -> dict[str, Any]:
    """Check ``given`` against the declared parameters; return the values to inject.

    Unknown names, wrong types and missing required values raise one
    :class:`~workbench.errors.ParameterError` listing every problem and the notebook's parameters.
    ``from_text=True`` converts command-line strings to the declared types first.
    """
    declared = {p.name: p for p in params}
    problems: list[str] = []
    values: dict[str, Any] = {}
    for name, value in given.items():
        spec = declared.get(name)
        if spec is None:
            problems.append(f"unknown parameter {name!r}")
            continue
        if from_text and isinstance(value, str):
            try:
                value = spec.type.from_text(value)
            except ValueError as exc:
                problems.append(f"{name}: {value!r} is not a {spec.type} ({exc})")
                continue
        if not spec.type.accepts(value):
            problems.append(f"{name}: {value!r} ({type(value).__name__}) is not a {spec.type}")
            continue
        if spec.type.kind == "float" or (
            spec.type.kind == "optional" and spec.type.args[0].kind == "float" and value is not None
        ):
            value = float(value)
        values[name] = value
    for p in params:
        if p.required and p.name not in given:
            problems.append(f"missing required parameter {p.name!r}")
    if problems:
        raise ParameterError(
            f"{notebook}: " + "; ".join(problems) + "\n" + _listing(notebook, params)
        )
    return values


def resolved_values(params: list[Parameter], values: dict[str, Any]) -> dict[str, Any]:
    """All parameter values of a run: declared defaults overlaid with the given values."""
    out = {p.name: p.default for p in params if not p.required}
    out.update(values)
    return out

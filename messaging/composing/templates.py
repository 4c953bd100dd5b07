"""The email templates: shipped defaults overridden by a workspace, compiled once, checked up front.

Templates live at `<persona>/step<N>_<variant>.txt.j2`; the first line is `Subject: ...`. They
render in a sandbox with StrictUndefined, so a template that reaches for Python internals or a
variable that does not exist stops the command with the template path, line and variable
instead of producing a broken draft.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from types import CodeType

from jinja2 import StrictUndefined, Template, TemplateError, TemplateSyntaxError, meta, nodes
from jinja2.sandbox import SandboxedEnvironment, SecurityError

from messaging.composing.sender import Sender, load_sender
from targeting.columns import PERSONAS
from targeting.errors import InputError

# The per-row variables a template may use; copy blocks come from messaging.yaml.
CONTEXT_VARIABLES = (
    "first_name",
    "company",
    "topic",
    "opener",
    "problem",
    "angle",
    "bridge",
    "followup",
    "industry",
    "tech",
    "hiring_role",
    "team_size",
    "country",
    "founded_year",
)
# Bound once per template: the sender (a read-only SenderView), the persona and its value proposition.
GLOBAL_VARIABLES = ("sender", "value_proposition", "persona")
_FIXTURE = {name: f"sample {name.replace('_', ' ')}" for name in CONTEXT_VARIABLES} | {
    "first_name": "Alex",
    "company": "Example Co",
}
_FILE_NAME = re.compile(r"^step(?P<step>[1-9][0-9]*)_(?P<variant>[a-z0-9]+)\.txt\.j2$")

TemplateKey = tuple[str, int, str]


def default_templates_dir() -> Traversable:
    """The shipped templates: inside the installed wheel, else the repository's top-level folder."""
    packaged = resources.files("messaging") / "_templates"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[2] / "templates"


class SenderView:
    """sender.yaml as templates see it: read-only strings and tuples, looked up by name only."""

    __slots__ = ("fields",)

    def __init__(self, sender: Sender) -> None:
        data = sender.model_dump()
        self.fields = {k: tuple(v) if isinstance(v, list) else v for k, v in data.items()}


class _Sandbox(SandboxedEnvironment):
    def getattr(self, obj, attribute):  # noqa: ANN001, ANN201 - Jinja's signature
        # `sender.x` is read on every render; a plain lookup in the view's own field dict cannot
        # reach Python internals, so it skips the sandbox's slower attribute inspection.
        if type(obj) is SenderView:
            value = obj.fields.get(attribute, _MISSING)
            return self.undefined(obj=obj, name=attribute) if value is _MISSING else value
        return super().getattr(obj, attribute)

    def getitem(self, obj, argument):  # noqa: ANN001, ANN201 - Jinja's signature
        if type(obj) is SenderView:
            return self.getattr(obj, argument) if isinstance(argument, str) else self.undefined(obj=obj, name=argument)
        return super().getitem(obj, argument)


_MISSING = object()


def template_environment() -> SandboxedEnvironment:
    """The sandboxed plain-text environment every template renders in."""
    env = _Sandbox(
        undefined=StrictUndefined, autoescape=False, trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=False
    )
    # Jinja's `capitalize` lowercases the rest ("HubSpot" -> "Hubspot"); subjects want sentence case.
    env.filters["sentence"] = lambda text: str(text)[:1].upper() + str(text)[1:]
    env.globals["range"] = _short_range
    return env


MAX_RANGE = 100  # an email needs no loop longer than this; a hostile range(10**9) is refused at once


def _short_range(*args: int) -> range:
    steps = range(*args)
    if len(steps) > MAX_RANGE:
        raise SecurityError(f"range of {len(steps):,} items: templates may loop at most {MAX_RANGE} times")
    return steps


@dataclass(frozen=True)
class TemplateSet:
    """Compiled templates by (persona, step, variant), with their source paths and variables."""

    environment: SandboxedEnvironment
    code: dict[TemplateKey, CodeType]
    paths: dict[TemplateKey, str]
    variables: dict[TemplateKey, frozenset[str]] = field(default_factory=dict)

    def variants(self, persona: str, step: int) -> list[str]:
        """The variants of one persona's step, sorted (a, b, ...)."""
        return sorted(v for p, s, v in self.code if p == persona and s == step)

    def bind(self, globals_by_persona: dict[str, dict[str, object]]) -> dict[TemplateKey, Template]:
        """Template objects with each persona's globals (sender, value proposition) bound once."""
        env = self.environment
        # A plain dict, not Jinja's ChainMap: every render copies its globals, and a ChainMap copy
        # costs more than the rest of the render.
        return {
            key: env.template_class.from_code(env, code, {**env.globals, **globals_by_persona.get(key[0], {})})
            for key, code in self.code.items()
        }


def load_templates(workspace: Path | None = None, *, sender: Sender | None = None) -> TemplateSet:
    """Load the shipped templates, overridden file by file by `workspace/templates/`.

    Every template is compiled and dry-rendered against the sender here, so a broken one stops
    the command before any drafting.

    Args:
        workspace: A workspace folder (or its `templates/` folder itself); its
            `<persona>/step<N>_<variant>.txt.j2` files replace the shipped file of the same path
            or add new variants. None: the shipped defaults only.
        sender: The sender the drafts will be signed by (default: the shipped sample), so a
            template that breaks only on the user's own `sender.yaml` stops here too.

    Returns:
        The compiled TemplateSet.

    Raises:
        InputError: A template file is misnamed, does not parse, does not start with
            `Subject:`, or uses a variable that does not exist (path, line and variable named).
    """
    sources = _template_sources(default_templates_dir())
    overrides = workspace_templates_dir(Path(workspace)) if workspace is not None else None
    if overrides is not None:
        sources |= _template_sources(overrides)
    env = template_environment()
    code, paths, variables = {}, {}, {}
    for key, (path, text) in sorted(sources.items()):
        code[key], variables[key] = _compile(env, text, path)
        paths[key] = path
    templates = TemplateSet(env, code, paths, variables)
    check_templates(templates, sender or load_sender(), personas=())
    return templates


def workspace_templates_dir(workspace: Path) -> Path | None:
    """A workspace's templates folder (or the folder itself if it is one); None when it has none."""
    if not workspace.is_dir():
        raise InputError("workspace or templates folder not found", path=workspace)
    if (workspace / "templates").is_dir():
        return workspace / "templates"
    if workspace.name == "templates" or any((workspace / p).is_dir() for p in PERSONAS):
        return workspace
    return None


def _template_sources(root: Traversable | Path) -> dict[TemplateKey, tuple[str, str]]:
    found = {}
    for folder in root.iterdir():
        if not folder.is_dir() or folder.name.startswith((".", "_")):
            continue
        for entry in folder.iterdir():
            if not entry.name.endswith(".j2"):
                continue
            path = str(entry)
            match = _FILE_NAME.match(entry.name)
            if folder.name not in PERSONAS:
                raise InputError(
                    f"unknown persona folder; expected one of {', '.join(PERSONAS)}", path=path, value=folder.name
                )
            if match is None:
                raise InputError("template file name must be step<N>_<variant>.txt.j2", path=path, value=entry.name)
            raw = entry.read_bytes()
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                line = raw.count(b"\n", 0, exc.start) + 1
                raise InputError("not UTF-8 text; save the template as UTF-8", path=path, line=line) from None
            found[(folder.name, int(match["step"]), match["variant"])] = (path, text)
    return found


def _compile(env: SandboxedEnvironment, text: str, path: str) -> tuple[CodeType, frozenset[str]]:
    if not text.lstrip("\ufeff").startswith("Subject:"):
        raise InputError("first line must be 'Subject: ...'", path=path, line=1)
    try:
        tree = env.parse(text, filename=path)
        code = env.compile(tree, filename=path)
    except TemplateSyntaxError as exc:
        raise InputError(f"template does not parse ({exc.message})", path=path, line=exc.lineno) from None
    used = meta.find_undeclared_variables(tree)
    allowed = set(CONTEXT_VARIABLES) | set(GLOBAL_VARIABLES) | set(env.globals)
    unknown = sorted(used - allowed)
    if unknown:
        line = min(n.lineno for n in tree.find_all(nodes.Name) if n.name == unknown[0])
        raise InputError(
            f"undefined variable {unknown[0]!r}; templates may use {', '.join(CONTEXT_VARIABLES + GLOBAL_VARIABLES)}",
            path=path,
            line=line,
        )
    return code, frozenset(used & set(CONTEXT_VARIABLES))


def template_globals(sender: Sender, personas: Sequence[str]) -> dict[str, dict[str, object]]:
    """Per persona, the globals bound into its templates: sender, value_proposition, persona."""
    plain = SenderView(sender)
    return {p: {"sender": plain, "value_proposition": sender.value_proposition_for(p), "persona": p} for p in personas}


def check_templates(templates: TemplateSet, sender: Sender, *, personas: Sequence[str], steps: int = 3) -> None:
    """Dry-render every template on a fixture context so a broken one stops the run up front.

    Args:
        templates: The loaded templates.
        sender: The sender bound into them.
        personas: The personas that will be drafted; each needs every step 1..steps.
        steps: The number of steps in the sequence.

    Raises:
        InputError: A needed template is missing, or one fails to render (path, line, reason).
    """
    require_steps(templates, personas, steps=steps)
    bound = templates.bind(template_globals(sender, {key[0] for key in templates.code}))
    for key, template in bound.items():
        path = templates.paths[key]
        try:
            text = template.render(_FIXTURE)
        except (TemplateError, SecurityError, TypeError, ValueError, AttributeError, ArithmeticError) as exc:
            raise InputError(f"template fails to render ({exc})", path=path, line=_template_line(exc, path)) from None
        if not text.startswith("Subject:") or not text.split("\n", 1)[0].removeprefix("Subject:").strip():
            raise InputError("first line must be a non-empty 'Subject: ...'", path=path, line=1)


def require_steps(templates: TemplateSet, personas: Sequence[str], *, steps: int) -> None:
    """Check that every persona drafted has a template for each step 1..steps, rendering nothing.

    Raises:
        InputError: A persona lacks a step (the path its template would have is named).
    """
    for persona in personas:
        for step in range(1, steps + 1):
            if not templates.variants(persona, step):
                raise InputError(
                    f"no template for persona {persona!r} step {step}",
                    path=f"templates/{persona}/step{step}_a.txt.j2",
                )


def _template_line(exc: BaseException, path: str) -> int | None:
    # Jinja rewrites tracebacks so template frames carry the template's filename and line.
    line, tb = getattr(exc, "lineno", None), exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == path:
            line = tb.tb_lineno
        tb = tb.tb_next
    return line

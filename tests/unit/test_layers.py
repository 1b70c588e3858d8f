"""The layering docs/architecture.md draws is the layering the code has.

The doc's file tree lists ``gitsnap/`` top down: each module imports only modules listed
above it, or modules of its own package entry (a folder listed without children, such as
``store/``, is one layer). Imports are read with ``ast``, function-level ones included;
imports under ``if TYPE_CHECKING:`` (annotations only, never run) are exempt.

The tree's format: an entry is a line indented at most 8 spaces whose first word is a
module (``plan.py``, ``aws/clients.py``) or a folder (``secrets/``) followed by two spaces or
the end of the line; a folder's children are indented 2 more; description lines that go on
are indented further (12 or more).
"""

from __future__ import annotations

import ast
import functools
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "architecture.md"
ENTRY = re.compile(r"^( {0,8})([\w<>.-]+(?:/[\w<>.-]+)*(?:\.py|/))(?: {2,}|$)")
PROVIDERS = ("botocore", "boto3", "google", "googleapiclient", "httplib2",
             "gitsnap.collectors.aws", "gitsnap.collectors.gas", "gitsnap.collectors.local")


@dataclass(frozen=True)
class Entry:
    path: str  # "gitsnap/plan.py" or "gitsnap/store/"
    index: int  # its place, top down
    parent: bool  # a folder listed with children


def doc_entries(text: str) -> list[Entry]:
    """The entries of the first code block that starts with ``gitsnap/``, top down."""
    block = text.split("```\ngitsnap/\n", 1)[1].split("```", 1)[0]
    stack: list[tuple[int, str]] = [(-2, "gitsnap/")]
    found: list[tuple[str, int]] = []
    for line in block.splitlines():
        m = ENTRY.match(line)
        if not m:
            continue
        indent, name = len(m.group(1)), m.group(2)
        while stack[-1][0] >= indent:
            stack.pop()
        path = stack[-1][1] + name
        found.append((path, indent))
        if name.endswith("/"):
            stack.append((indent, path))
    # a folder is a parent when the entry after it is indented under it
    return [Entry(p, i, i + 1 < len(found) and found[i + 1][1] > indent)
            for i, (p, indent) in enumerate(found)]


def module_name(root: Path, file: Path) -> str:
    parts = list(file.relative_to(root).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _import_nodes(tree: ast.Module) -> list[ast.Import | ast.ImportFrom]:
    """Every import statement, at any depth (in functions, classes, try, with...), but not
    those only run for a type checker. Imports are statements: only statement lists are walked."""
    out: list[ast.Import | ast.ImportFrom] = []
    todo: list[ast.AST] = list(tree.body)
    while todo:
        node = todo.pop()
        if isinstance(node, ast.Import | ast.ImportFrom):
            out.append(node)
            continue
        if isinstance(node, ast.If) and _type_checking(node):
            todo.extend(node.orelse)
            continue
        for name in ("body", "orelse", "finalbody", "handlers", "cases"):
            value = getattr(node, name, None)
            if isinstance(value, list):
                todo.extend(v for v in value if isinstance(v, ast.AST))
    return out


def imports(root: Path, file: Path, modules: frozenset[str]) -> set[str]:
    """The modules *file* imports: gitsnap's resolved to the module imported (``from .x
    import y`` is ``x.y`` when that is a module), others by their full name."""
    name = module_name(root, file)
    package = name if file.name == "__init__.py" else name.rsplit(".", 1)[0]
    out: set[str] = set()
    for level, source, names in _statements(file.read_text()):
        if level:
            base = package.split(".")
            source = ".".join(base[:len(base) - level + 1] + ([source] if source else []))
        if names is None:  # import a.b
            out.add(source)
            continue
        for alias in names:
            child = f"{source}.{alias}"
            out.add(child if child in modules else source)
    out.discard(name)
    return out


@functools.cache  # by content: the copies the checks below make parse only what they changed
def _statements(text: str) -> tuple[tuple[int, str, tuple[str, ...] | None], ...]:
    """(level, module, names or None for ``import x``) of each import statement."""
    out: list[tuple[int, str, tuple[str, ...] | None]] = []
    for node in _import_nodes(ast.parse(text)):
        if isinstance(node, ast.Import):
            out.extend((0, a.name, None) for a in node.names)
        else:
            out.append((node.level, node.module or "", tuple(a.name for a in node.names)))
    return tuple(out)


def graph(root: Path) -> dict[str, tuple[Path, set[str]]]:
    """Every module of the ``gitsnap`` package under *root*: its file and what it imports."""
    files = sorted((root / "gitsnap").rglob("*.py"))
    modules = frozenset(module_name(root, f) for f in files)
    return {module_name(root, f): (f, imports(root, f, modules)) for f in files}


def entry_of(root: Path, file: Path, entries: list[Entry]) -> Entry | None:
    """The most specific entry a module file is listed under, or None. A folder listed with
    children holds only its ``__init__.py``: its other modules must be listed themselves."""
    rel = file.relative_to(root).as_posix()
    matches = [e for e in entries if e.path == rel or (e.path.endswith("/") and rel.startswith(e.path))]
    best = max(matches, key=lambda e: len(e.path), default=None)
    if best is None or (best.parent and file.name != "__init__.py"):
        return None
    return best


def check(root: Path, doc: str) -> tuple[list[str], list[str]]:
    """(modules the doc's tree does not place, back-edges as "importer -> imported (why)")."""
    entries = doc_entries(doc)
    g = graph(root)
    placed = {m: entry_of(root, f, entries) for m, (f, _) in g.items()}
    unplaced = sorted(m for m, e in placed.items() if e is None)
    back = []
    for m, (_, deps) in sorted(g.items()):
        mine = placed[m]
        for d in sorted(deps & set(g)):
            theirs = placed[d]
            if mine is None or theirs is None or theirs == mine:
                continue
            if theirs.index > mine.index:
                back.append(f"{m} -> {d} ({theirs.path} is listed below {mine.path})")
    return unplaced, back


def test_every_module_is_placed_in_the_architecture_tree() -> None:
    unplaced, _ = check(ROOT, DOC.read_text())
    assert unplaced == [], "list these in docs/architecture.md's tree: " + ", ".join(unplaced)


def test_every_entry_of_the_tree_exists() -> None:
    missing = [e.path for e in doc_entries(DOC.read_text()) if not (ROOT / e.path).exists()]
    assert missing == []


def test_no_module_imports_one_listed_below_it() -> None:
    _, back = check(ROOT, DOC.read_text())
    assert back == [], "back-edges:\n" + "\n".join(back)


def test_the_generic_runner_imports_no_provider() -> None:
    """collectors/run.py calls every provider through ``ctx.api``: no botocore, no Google
    client, no module of a provider's collectors."""
    g = graph(ROOT)
    _, deps = g["gitsnap.collectors.run"]
    assert sorted(d for d in deps if d.startswith(PROVIDERS)) == []


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "gitsnap", tmp_path / "gitsnap", ignore=shutil.ignore_patterns("__pycache__"))
    return tmp_path


def test_the_check_finds_a_back_edge_hidden_in_a_function(copy: Path) -> None:
    """A copy of the package where the runner imports the engine inside a function: the
    check names exactly that edge (and the real tree has none, above)."""
    run = copy / "gitsnap" / "collectors" / "run.py"
    run.write_text(run.read_text() + "\n\ndef _bad():\n    from ..engine import Capture\n\n    return Capture\n")
    unplaced, back = check(copy, DOC.read_text())
    assert unplaced == []
    assert [b.split(" (")[0] for b in back] == ["gitsnap.collectors.run -> gitsnap.engine"]


def test_the_check_exempts_imports_for_the_type_checker_only(copy: Path) -> None:
    run = copy / "gitsnap" / "collectors" / "run.py"
    run.write_text(run.read_text() + "\n\nif TYPE_CHECKING:\n    from ..engine import Capture\n")
    assert check(copy, DOC.read_text())[1] == []


def test_the_check_finds_a_module_the_tree_does_not_list(copy: Path) -> None:
    (copy / "gitsnap" / "collectors" / "extra.py").write_text('"""Not in the tree."""\n')
    assert check(copy, DOC.read_text())[0] == ["gitsnap.collectors.extra"]


class _Gone(Exception):
    code = "Gone"


class _Missing(Exception):
    code = "NotConfigured"


class FakeApi:
    """A provider that is not AWS: its answers are given, its failures carry a ``code``."""

    def __init__(self, *answers: object) -> None:
        self.answers = list(answers)
        self.asked = 0

    def call(self, client: object, call: object, params: dict) -> object:
        self.asked += 1
        answer = self.answers.pop(0)
        if isinstance(answer, BaseException):
            raise answer
        return answer

    def code(self, exc: BaseException) -> str | None:
        return getattr(exc, "code", None)

    def translate(self, exc: BaseException, what: str) -> Exception | None:
        from gitsnap.collectors.errors import VanishedError

        return VanishedError(f"{what}: gone") if isinstance(exc, _Gone) else None

    def document(self, value: object) -> object:
        import json

        return json.loads(value)  # type: ignore[arg-type]


def test_the_runner_reads_a_provider_that_is_not_aws_through_its_api() -> None:
    """The runner's rules hold for any Api: an ``absent`` code is None, an unusable answer is
    asked again, a "not found" from the identity call is about the resource itself, and a
    failure the provider does not claim goes through untouched (a bug, not a read error)."""
    from dataclasses import replace

    from gitsnap.collectors.api import UnusableAnswer
    from gitsnap.collectors.errors import VanishedError
    from gitsnap.collectors.run import call
    from gitsnap.collectors.spec import Call, ResourceType

    from ..memory import context

    spec = ResourceType(service="fake", type="thing", scope="regional", client="fake", id=lambda r: r["Id"],
                        schema="none")
    get = Call("get_thing", result="Thing", absent=("NotConfigured",), identity=True, documents=("Thing.Policy",))
    ctx = context({"fake": object()})

    api = FakeApi(_Missing())
    assert call(replace(ctx, api=api), spec, get, {}, "fake/x") is None

    api = FakeApi(UnusableAnswer("cut off"), {"Thing": {"Policy": '{"a": 1}'}})
    assert call(replace(ctx, api=api), spec, get, {}, "fake/x") == {"Policy": {"a": 1}}
    assert api.asked == 2

    with pytest.raises(VanishedError) as gone:
        call(replace(ctx, api=FakeApi(_Gone())), spec, get, {}, "fake/x")
    assert gone.value.of_resource is True

    with pytest.raises(ZeroDivisionError):
        call(replace(ctx, api=FakeApi(ZeroDivisionError())), spec, get, {}, "fake/x")

"""The test suite keeps the boundary the code keeps, and does each of its chores one way.

Test data comes from tests/factories.py (through the apps' services), threads race through
tests/concurrency.py, and the `postgres` marker is honoured by one hook in tests/conftest.py.
"""

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]
# The catalog's own tests, and shop's, which count what `seed_demo` loaded into every table.
MAY_IMPORT_CATALOG_MODELS = {"catalog", "shop"}
SHARED_FIXTURES = {"make_user", "make_category", "make_product", "product", "make_order"}


def _modules() -> list[tuple[Path, ast.Module]]:
    """Every module of the suite but this one (which names what it looks for)."""
    paths = sorted(path for path in TESTS.rglob("*.py") if path != Path(__file__).resolve())
    return [(path, ast.parse(path.read_text())) for path in paths]


def _where(path: Path, node: ast.AST) -> str:
    return f"{path.relative_to(TESTS.parent)}:{node.lineno}"


def _imported_modules(node: ast.AST) -> list[str]:
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if isinstance(node, ast.ImportFrom) and node.module:
        return [node.module, *(f"{node.module}.{alias.name}" for alias in node.names)]
    return []


def test_only_the_catalogs_own_tests_import_its_models():
    """Every other test makes and reads products through catalog.services (or the API)."""
    offenders = [
        _where(path, node)
        for path, module in _modules()
        if path.relative_to(TESTS).parts[0] not in MAY_IMPORT_CATALOG_MODELS
        for node in ast.walk(module)
        if "catalog.models" in _imported_modules(node)
    ]
    assert offenders == []


def _fixtures(module: ast.Module) -> list[ast.FunctionDef]:
    return [
        node
        for node in module.body
        if isinstance(node, ast.FunctionDef)
        and any("fixture" in ast.unparse(decorator) for decorator in node.decorator_list)
    ]


def test_the_shared_fixtures_are_defined_once_so_they_mean_one_thing_everywhere():
    """No folder redefines `product` (or another factory fixture) with a meaning of its own."""
    definitions = sorted(
        (node.name, _where(path, node))
        for path, module in _modules()
        for node in _fixtures(module)
        if node.name in SHARED_FIXTURES
    )
    assert [name for name, _ in definitions] == sorted(SHARED_FIXTURES), definitions
    assert {where.split(":")[0] for _, where in definitions} == {"tests/conftest.py"}


def _skips_by_vendor(node: ast.AST) -> bool:
    """`skipif(<...vendor...>)`, or `if <...vendor...>: pytest.skip(...)`."""
    if isinstance(node, ast.Call) and ast.unparse(node.func).endswith("skipif"):
        return "vendor" in ast.unparse(node)
    if isinstance(node, ast.If) and "vendor" in ast.unparse(node.test):
        return "skip(" in "".join(ast.unparse(statement) for statement in node.body)
    return False


def test_no_test_module_restates_the_postgres_skip():
    """tests/conftest.py skips the tests marked `postgres` on other databases, once."""
    offenders = [
        _where(path, node)
        for path, module in _modules()
        for node in ast.walk(module)
        if _skips_by_vendor(node)
    ]
    assert offenders == []


def test_threads_are_raced_by_one_helper():
    offenders = [
        _where(path, node)
        for path, module in _modules()
        if path.name != "concurrency.py"
        for node in ast.walk(module)
        if isinstance(node, ast.Attribute) and node.attr == "Barrier"
    ]
    assert offenders == []


def test_gunicorn_is_started_by_one_helper():
    """A test runs the shop as production through `tests.servers.Server` (`manage.py serve`
    starts its own gunicorn): only there is `shop.wsgi` named."""
    offenders = [
        _where(path, node)
        for path, module in _modules()
        if path.relative_to(TESTS) != Path("servers.py")
        for node in ast.walk(module)
        if isinstance(node, ast.Constant) and node.value == "shop.wsgi"
    ]
    assert offenders == []


def _binds_a_free_port(node: ast.AST) -> bool:
    """`<socket>.bind((<host>, 0))`: the OS picks the port."""
    return (
        isinstance(node, ast.Call)
        and ast.unparse(node.func).endswith(".bind")
        and len(node.args) == 1
        and isinstance(node.args[0], ast.Tuple)
        and ast.unparse(node.args[0].elts[-1]) == "0"
    )


def test_free_ports_come_from_one_helper():
    offenders = [
        _where(path, node)
        for path, module in _modules()
        if path.relative_to(TESTS) != Path("servers.py")
        for node in ast.walk(module)
        if _binds_a_free_port(node)
    ]
    assert offenders == []

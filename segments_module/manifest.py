"""The Odoo-style manifest that describes the module to a host, and its access rules.

`manifest.json` sits at the top of the repository, and the package ships the same
file as package data, so an installed copy finds it too. `load_manifest` validates
it at start-up, so a broken manifest stops the program with one message that names
the key and the fix. The CLI calls it before every command.

Access policy of ir.model.access.csv (Odoo columns, one row per model and group):
users read everything, edit the segment worksheet (headers, lines, criteria, history,
saved criteria) and create what logging writes (logged segments, interaction log
entries, attachments). Managers may do everything, except that no group may delete
a logged segment or an interaction log entry, because the interaction log is a ledger.
"""

from __future__ import annotations

import csv
import importlib
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

MANIFEST_NAME = "manifest.json"
PACKAGE_DIR = Path(__file__).resolve().parent

# Semantic versions ("1.0.0") or Odoo's series-prefixed ones ("17.0.1.0.0").
VERSION_PATTERN = re.compile(r"\d+\.\d+\.\d+(\.\d+\.\d+)?")
REFERENCE_PATTERN = re.compile(r"[A-Za-z_][\w.]*:[A-Za-z_]\w*")
ACCESS_COLUMNS = (
    "id",
    "name",
    "model_id:id",
    "group_id:id",
    "perm_read",
    "perm_write",
    "perm_create",
    "perm_unlink",
)
OPERATIONS = ("read", "write", "create", "unlink")


class ManifestError(ValueError):
    """The manifest or a file it names is missing or invalid."""


@dataclass(frozen=True)
class SecurityGroup:
    id: str
    name: str
    implied: tuple[str, ...] = ()


@dataclass(frozen=True)
class Action:
    """A window action: the model it lists and the GraphQL query field that lists it."""

    id: str
    name: str
    model: str
    view_mode: tuple[str, ...]
    graphql_query: str


@dataclass(frozen=True)
class Menu:
    id: str
    name: str
    parent: str | None = None
    action: str | None = None
    sequence: int = 10


@dataclass(frozen=True)
class AccessRule:
    """One row of ir.model.access.csv: what a group may do with a model."""

    id: str
    name: str
    model: str
    group: str
    perm_read: bool
    perm_write: bool
    perm_create: bool
    perm_unlink: bool

    def allows(self, operation: str) -> bool:
        return getattr(self, f"perm_{operation}")


@dataclass(frozen=True)
class Manifest:
    """The validated manifest. Relative file names resolve against `root`."""

    name: str
    technical_name: str
    version: str
    summary: str
    description: str
    category: str
    author: str
    license: str
    depends: tuple[str, ...]
    external_dependencies: dict[str, tuple[str, ...]]
    models: dict[str, str]
    data: tuple[str, ...]
    demo: tuple[str, ...]
    groups: tuple[SecurityGroup, ...]
    access_file: str
    menus: tuple[Menu, ...]
    actions: tuple[Action, ...]
    graphql: dict[str, str]
    hooks: dict[str, str]
    migrations: dict[str, str]
    installable: bool
    application: bool
    path: Path
    root: Path

    def file(self, relative: str) -> Path:
        return self.root / relative

    def action(self, action_id: str) -> Action:
        return next(action for action in self.actions if action.id == action_id)

    def model_class(self, model_name: str) -> type:
        return import_object(self.models[model_name])


def load_manifest(path: Path | None = None) -> Manifest:
    """Read and validate the manifest, by default the one shipped with the module.

    Raises ManifestError naming the file, the key and the fix.
    """
    path, root = _locate(path)
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise ManifestError(
            f"Cannot read the manifest {path}: {error.strerror}. "
            "Reinstall the module or pass the path of manifest.json."
        ) from error
    except json.JSONDecodeError as error:
        raise ManifestError(
            f"{path} is not valid JSON: {error.msg} at line {error.lineno}, "
            f"column {error.colno}. Fix the file."
        ) from error

    manifest = _parse(_Reader(path), raw, path, root)
    _check_references(manifest)
    return manifest


def load_access_rules(manifest: Manifest) -> list[AccessRule]:
    """Read the manifest's ir.model.access.csv, with dotted model names as models."""
    path = manifest.file(manifest.access_file)
    by_model_id = {_model_xml_id(name): name for name in manifest.models}
    group_ids = {group.id for group in manifest.groups}
    try:
        with path.open(newline="", encoding="utf-8") as file:
            reader = csv.DictReader(file)
            if tuple(reader.fieldnames or ()) != ACCESS_COLUMNS:
                raise ManifestError(
                    f"{path}: the header must be {','.join(ACCESS_COLUMNS)}. "
                    "Fix the first line of the file."
                )
            rows = list(reader)
    except OSError as error:
        raise ManifestError(
            f"Cannot read the access file {path} named by security.access "
            f"in {manifest.path}: {error.strerror}. Fix the path."
        ) from error

    rules = []
    for line_no, row in enumerate(rows, start=2):
        model_id = row["model_id:id"]
        if model_id not in by_model_id:
            raise ManifestError(
                f"{path}, line {line_no}: model_id:id {model_id!r} names no model "
                "of the manifest. Use model_<dotted name with underscores>, "
                "e.g. model_segment_header."
            )
        group = row["group_id:id"]
        if group not in group_ids:
            raise ManifestError(
                f"{path}, line {line_no}: group_id:id {group!r} is not in "
                "security.groups of the manifest. Add the group or fix the row."
            )
        permissions = {}
        for operation in OPERATIONS:
            value = row[f"perm_{operation}"]
            if value not in ("0", "1"):
                raise ManifestError(
                    f"{path}, line {line_no}: perm_{operation} is {value!r}. "
                    "Use 1 to grant the operation or 0 to deny it."
                )
            permissions[f"perm_{operation}"] = value == "1"
        rules.append(
            AccessRule(
                id=row["id"],
                name=row["name"],
                model=by_model_id[model_id],
                group=group,
                **permissions,
            )
        )
    return rules


def is_allowed(
    rules: list[AccessRule], groups: frozenset[str], model: str, operation: str
) -> bool:
    """Return whether any of `groups` may perform `operation` on `model`."""
    return any(
        rule.model == model and rule.group in groups and rule.allows(operation)
        for rule in rules
    )


def import_object(reference: str) -> Any:
    """Import "package.module:Name" and return the object."""
    module_name, _, attribute = reference.partition(":")
    return getattr(importlib.import_module(module_name), attribute)


def _locate(path: Path | None) -> tuple[Path, Path]:
    """Return the manifest to read and the folder its file names are relative to."""
    if path is not None:
        return Path(path), Path(path).resolve().parent

    # A checkout or an editable install has the manifest beside the package.
    # An installed wheel has only the packaged copy; its file names start with
    # segments_module/, so they resolve against the package's parent folder too.
    beside_package = PACKAGE_DIR.parent / MANIFEST_NAME
    if beside_package.is_file():
        return beside_package, PACKAGE_DIR.parent
    return PACKAGE_DIR / MANIFEST_NAME, PACKAGE_DIR.parent


def _model_xml_id(model_name: str) -> str:
    return "model_" + model_name.replace(".", "_")


class _Reader:
    """Typed access to the raw JSON, raising ManifestError that names the key."""

    def __init__(self, path: Path):
        self.path = path

    def fail(self, key: str, problem: str, fix: str) -> ManifestError:
        return ManifestError(f"{self.path}: {key!r} {problem}. {fix}")

    def value(self, obj: dict, key: str, kind: type, where: str = "") -> Any:
        name = f"{where}.{key}" if where else key
        if key not in obj:
            raise self.fail(name, "is missing", f"Add it as {_KIND_NAMES[kind]}.")
        value = obj[key]
        # bool is a subclass of int in Python, so check it first and separately.
        if isinstance(value, bool) != (kind is bool) or not isinstance(value, kind):
            raise self.fail(
                name,
                f"must be {_KIND_NAMES[kind]}, not {type(value).__name__}",
                "Fix its value.",
            )
        return value

    def text(self, obj: dict, key: str, where: str = "", *, blank=False) -> str:
        value = self.value(obj, key, str, where)
        if not blank and not value.strip():
            name = f"{where}.{key}" if where else key
            raise self.fail(name, "is empty", "Give it a value.")
        return value

    def texts(self, obj: dict, key: str, where: str = "") -> tuple[str, ...]:
        values = self.value(obj, key, list, where)
        name = f"{where}.{key}" if where else key
        for index, item in enumerate(values):
            if not isinstance(item, str):
                raise self.fail(
                    f"{name}[{index}]", "must be a string", "Fix the list item."
                )
        return tuple(values)

    def mapping(self, obj: dict, key: str, where: str = "") -> dict[str, str]:
        values = self.value(obj, key, dict, where)
        name = f"{where}.{key}" if where else key
        for item_key, item in values.items():
            if not isinstance(item, str):
                raise self.fail(
                    f"{name}.{item_key}", "must be a string", "Fix its value."
                )
        return dict(values)

    def objects(self, obj: dict, key: str, where: str = "") -> list[tuple[str, dict]]:
        values = self.value(obj, key, list, where)
        name = f"{where}.{key}" if where else key
        items = []
        for index, item in enumerate(values):
            if not isinstance(item, dict):
                raise self.fail(
                    f"{name}[{index}]", "must be an object", "Fix the list item."
                )
            items.append((f"{name}[{index}]", item))
        return items


_KIND_NAMES = {
    str: "a string",
    list: "a list",
    dict: "an object",
    bool: "true or false",
    int: "a whole number",
}


def _parse(read: _Reader, raw: Any, path: Path, root: Path) -> Manifest:
    if not isinstance(raw, dict):
        raise ManifestError(f"{path} must contain one JSON object. Fix the file.")

    version = read.text(raw, "version")
    if not VERSION_PATTERN.fullmatch(version):
        raise read.fail(
            "version",
            f"is {version!r}",
            'Use "1.0.0" (major.minor.patch) or Odoo\'s "17.0.1.0.0".',
        )

    external = read.value(raw, "external_dependencies", dict)
    external_dependencies = {
        kind: read.texts(external, kind, "external_dependencies") for kind in external
    }

    models = read.mapping(raw, "models")
    for model_name, reference in models.items():
        if not REFERENCE_PATTERN.fullmatch(reference):
            raise read.fail(
                f"models.{model_name}",
                f"is {reference!r}",
                'Use "package.module:ClassName".',
            )

    security = read.value(raw, "security", dict)
    groups = tuple(
        SecurityGroup(
            id=read.text(group, "id", where),
            name=read.text(group, "name", where),
            implied=read.texts(group, "implied", where) if "implied" in group else (),
        )
        for where, group in read.objects(security, "groups", "security")
    )
    actions = tuple(
        Action(
            id=read.text(action, "id", where),
            name=read.text(action, "name", where),
            model=read.text(action, "model", where),
            view_mode=read.texts(action, "view_mode", where),
            graphql_query=read.text(action, "graphql_query", where),
        )
        for where, action in read.objects(raw, "actions")
    )
    menus = tuple(
        Menu(
            id=read.text(menu, "id", where),
            name=read.text(menu, "name", where),
            parent=read.text(menu, "parent", where) if "parent" in menu else None,
            action=read.text(menu, "action", where) if "action" in menu else None,
            sequence=read.value(menu, "sequence", int, where)
            if "sequence" in menu
            else 10,
        )
        for where, menu in read.objects(raw, "menus")
    )

    return Manifest(
        name=read.text(raw, "name"),
        technical_name=read.text(raw, "technical_name"),
        version=version,
        summary=read.text(raw, "summary"),
        description=read.text(raw, "description", blank=True),
        category=read.text(raw, "category"),
        author=read.text(raw, "author"),
        license=read.text(raw, "license"),
        depends=read.texts(raw, "depends"),
        external_dependencies=external_dependencies,
        models=models,
        data=read.texts(raw, "data"),
        demo=read.texts(raw, "demo"),
        groups=groups,
        access_file=read.text(security, "access", "security"),
        menus=menus,
        actions=actions,
        graphql=_section(read, raw, "graphql", ("entry_point", "schema", "mount_path")),
        hooks=_section(read, raw, "hooks", ("post_init_hook", "uninstall_hook")),
        migrations=_section(
            read, raw, "migrations", ("script_location", "branch", "version_table")
        ),
        installable=read.value(raw, "installable", bool),
        application=read.value(raw, "application", bool),
        path=path,
        root=root,
    )


def _section(
    read: _Reader, raw: dict, key: str, required: tuple[str, ...]
) -> dict[str, str]:
    values = read.mapping(raw, key)
    for name in required:
        read.text(values, name, key)
    return values


def _check_references(manifest: Manifest) -> None:
    """Check that menus, actions and groups point at things the manifest declares."""
    path = manifest.path
    action_ids = {action.id for action in manifest.actions}
    menu_ids = {menu.id for menu in manifest.menus}
    group_ids = {group.id for group in manifest.groups}

    for action in manifest.actions:
        if action.model not in manifest.models:
            raise ManifestError(
                f"{path}: action {action.id!r} names the model {action.model!r}, "
                "which is not in 'models'. Add the model or fix the action."
            )
    for menu in manifest.menus:
        if menu.action is not None and menu.action not in action_ids:
            raise ManifestError(
                f"{path}: menu {menu.id!r} points to the action {menu.action!r}, "
                "which is not in 'actions'. Add the action or fix the menu."
            )
        if menu.parent is not None and menu.parent not in menu_ids:
            raise ManifestError(
                f"{path}: menu {menu.id!r} has the parent {menu.parent!r}, "
                "which is not in 'menus'. Add the parent menu or fix the menu."
            )
    for group in manifest.groups:
        for implied in group.implied:
            if implied not in group_ids:
                raise ManifestError(
                    f"{path}: group {group.id!r} implies {implied!r}, which is not "
                    "in 'security.groups'. Add the group or fix the list."
                )
    # Demo files are checked by the tests and by the demo loader, not at start-up.
    for relative in (*manifest.data, manifest.access_file):
        if not manifest.file(relative).is_file():
            raise ManifestError(
                f"{path}: the file {relative!r} does not exist under "
                f"{manifest.root}. Restore the file or remove it from the manifest."
            )

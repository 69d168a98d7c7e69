"""The Odoo-style manifest: references resolve and invalid manifests are rejected."""

from __future__ import annotations

import copy
import importlib.metadata
import json
import re
import tomllib
from pathlib import Path

import pytest
from graphql import build_schema

import segments_module
from segments_module import hooks, migrate
from segments_module.manifest import (
    PACKAGE_DIR,
    ManifestError,
    import_object,
    is_allowed,
    load_access_rules,
    load_manifest,
)
from segments_module.models import Base

REPO_MANIFEST = PACKAGE_DIR.parent / "manifest.json"
USER = frozenset({"segments.group_user"})
MANAGER = frozenset({"segments.group_manager"})
MENU_NAMES = [
    "Segments",
    "Logged Segments",
    "Interaction Log Entries",
    "Interaction Templates",
    "Interaction Groups",
    "Saved Segment Criteria",
    "Company Information",
]
QUERY_FIELDS = {
    "segment.header": "segments",
    "logged.segment": "loggedSegments",
    "interaction.log.entry": "interactionLogEntries",
    "interaction.template": "interactionTemplates",
    "interaction.group": "interactionGroups",
    "saved.segment.criteria": "savedSegmentCriteria",
    "company.information": "companyInformation",
}


@pytest.fixture(scope="module")
def manifest():
    return load_manifest()


@pytest.fixture(scope="module")
def access_rules(manifest):
    return load_access_rules(manifest)


def write_manifest(tmp_path: Path, change) -> Path:
    """Write a copy of the shipped manifest, changed by `change(raw)`, to tmp_path."""
    raw = json.loads(REPO_MANIFEST.read_text(encoding="utf-8"))
    # The copy lives in tmp_path, so point its files back at the package.
    raw["data"] = [str(PACKAGE_DIR.parent / name) for name in raw["data"]]
    raw["security"]["access"] = str(PACKAGE_DIR.parent / raw["security"]["access"])
    raw = copy.deepcopy(raw)
    change(raw)
    path = tmp_path / "manifest.json"
    path.write_text(json.dumps(raw), encoding="utf-8")
    return path


def test_manifest_describes_module(manifest):
    assert manifest.name == "Segments and Interactions"
    assert manifest.technical_name == "segments"
    assert manifest.category == "Marketing"
    assert manifest.license == "MIT"
    assert manifest.version == segments_module.__version__
    assert manifest.installable is True
    assert manifest.application is True


def test_manifest_packaged_copy_matches_repo_file():
    packaged = (PACKAGE_DIR / "manifest.json").read_text(encoding="utf-8")

    assert packaged == REPO_MANIFEST.read_text(encoding="utf-8")


def test_manifest_models_resolve_to_classes(manifest):
    for model_name, reference in manifest.models.items():
        model_class = import_object(reference)

        assert model_class.__model_name__ == model_name, reference


def test_manifest_models_cover_every_model(manifest):
    declared = {mapper.class_.__model_name__ for mapper in Base.registry.mappers}

    assert set(manifest.models) == declared


def test_manifest_menus_under_segments_root(manifest):
    roots = [menu for menu in manifest.menus if menu.parent is None]
    assert [root.name for root in roots] == ["Segments"]

    children = sorted(
        (menu for menu in manifest.menus if menu.parent == roots[0].id),
        key=lambda menu: menu.sequence,
    )
    assert [menu.name for menu in children] == MENU_NAMES


def test_manifest_menus_point_to_actions(manifest):
    action_ids = {action.id for action in manifest.actions}

    for menu in manifest.menus:
        if menu.action is None:
            continue
        assert menu.action in action_ids, menu.id
        model = manifest.action(menu.action).model
        assert menu.id == model.replace(".", "_") + "_menu"


def test_manifest_actions_name_models_and_queries(manifest):
    for action in manifest.actions:
        assert action.model in manifest.models, action.id
        assert action.id == action.model.replace(".", "_") + "_action"

    queries = {action.model: action.graphql_query for action in manifest.actions}
    assert queries == QUERY_FIELDS


def test_manifest_action_queries_exist_in_schema(manifest):
    schema = import_object(manifest.graphql["schema"])
    query_fields = build_schema(schema.as_str()).query_type.fields

    for action in manifest.actions:
        assert action.graphql_query in query_fields, action.id


def test_manifest_graphql_entry_point_is_app_factory(manifest):
    create_app = import_object(manifest.graphql["entry_point"])

    assert callable(create_app)
    assert manifest.graphql["mount_path"] == "/graphql"


def test_manifest_hooks_are_callables(manifest):
    post_init_hook = import_object(manifest.hooks["post_init_hook"])
    uninstall_hook = import_object(manifest.hooks["uninstall_hook"])

    assert post_init_hook is hooks.post_init_hook
    assert uninstall_hook is hooks.uninstall_hook


def test_manifest_migrations_match_alembic_setup(manifest):
    assert manifest.migrations == {
        "script_location": migrate.SCRIPT_LOCATION,
        "branch": migrate.BRANCH,
        "version_table": migrate.VERSION_TABLE,
    }


def test_manifest_data_and_demo_files_exist(manifest):
    for relative in (*manifest.data, *manifest.demo, manifest.access_file):
        assert manifest.file(relative).is_file(), relative


def test_manifest_demo_lists_every_demo_csv(manifest):
    demo_folder = PACKAGE_DIR / "demo" / "data"
    if not demo_folder.is_dir():
        pytest.skip("the demo data files are not written yet")
    shipped = {
        str(path.relative_to(PACKAGE_DIR.parent)) for path in demo_folder.glob("*.csv")
    }

    assert set(manifest.demo) == shipped


def test_manifest_external_dependencies_installed(manifest):
    for name in manifest.external_dependencies["python"]:
        assert importlib.metadata.version(name), name


def test_manifest_external_dependencies_match_pyproject(manifest):
    pyproject = tomllib.loads(
        (PACKAGE_DIR.parent / "pyproject.toml").read_text(encoding="utf-8")
    )
    required = {
        re.match(r"[A-Za-z0-9_.-]+", requirement).group().lower()
        for requirement in pyproject["project"]["dependencies"]
    }

    assert set(manifest.external_dependencies["python"]) == required, (
        "list every pyproject dependency in manifest.json external_dependencies.python"
    )


def test_manifest_security_groups(manifest):
    groups = {group.id: group for group in manifest.groups}

    assert set(groups) == {"segments.group_user", "segments.group_manager"}
    assert groups["segments.group_user"].name == "Segments / User"
    assert groups["segments.group_manager"].implied == ("segments.group_user",)


def test_access_rules_name_models_and_groups(manifest, access_rules):
    group_ids = {group.id for group in manifest.groups}

    for rule in access_rules:
        assert rule.model in manifest.models, rule.id
        assert rule.group in group_ids, rule.id
    covered = {(rule.model, rule.group) for rule in access_rules}
    expected = {(model, group) for model in manifest.models for group in group_ids}
    assert covered == expected


def test_access_rules_user_reads_all_writes_segments(manifest, access_rules):
    for model in manifest.models:
        assert is_allowed(access_rules, USER, model, "read"), model
    for model in ("segment.header", "segment.line"):
        for operation in ("write", "create", "unlink"):
            assert is_allowed(access_rules, USER, model, operation), (model, operation)
    assert not is_allowed(access_rules, USER, "interaction.template", "write")
    assert not is_allowed(access_rules, USER, "logged.segment", "write")


def test_access_rules_manager_may_change_setup(access_rules):
    for operation in ("read", "write", "create", "unlink"):
        assert is_allowed(access_rules, MANAGER, "interaction.template", operation)
        assert is_allowed(access_rules, MANAGER, "segment.header", operation)


def test_access_rules_log_entries_never_unlinkable(access_rules):
    for groups in (USER, MANAGER, USER | MANAGER):
        assert not is_allowed(access_rules, groups, "interaction.log.entry", "unlink")
        assert not is_allowed(access_rules, groups, "logged.segment", "unlink")


def test_access_rules_invalid_permission_rejected(tmp_path, manifest):
    # given
    csv_path = tmp_path / "access.csv"
    csv_path.write_text(
        "id,name,model_id:id,group_id:id,perm_read,perm_write,perm_create,perm_unlink\n"
        "access_x,x,model_segment_header,segments.group_user,1,yes,0,0\n",
        encoding="utf-8",
    )
    path = write_manifest(
        tmp_path, lambda raw: raw["security"].update(access=str(csv_path))
    )

    # when
    with pytest.raises(ManifestError) as error:
        load_access_rules(load_manifest(path))

    # then
    assert "line 2: perm_write is 'yes'" in str(error.value)


def test_access_rules_unknown_group_rejected(tmp_path):
    # given
    csv_path = tmp_path / "access.csv"
    csv_path.write_text(
        "id,name,model_id:id,group_id:id,perm_read,perm_write,perm_create,perm_unlink\n"
        "access_x,x,model_segment_header,segments.group_guest,1,0,0,0\n",
        encoding="utf-8",
    )
    path = write_manifest(
        tmp_path, lambda raw: raw["security"].update(access=str(csv_path))
    )

    # when
    with pytest.raises(ManifestError) as error:
        load_access_rules(load_manifest(path))

    # then
    assert "line 2: group_id:id 'segments.group_guest'" in str(error.value)


def _delete(key):
    return lambda raw: raw.pop(key)


def _set(key, value):
    return lambda raw: raw.update({key: value})


def _set_menu_action(raw):
    raw["menus"][1]["action"] = "missing_action"


def _set_action_model(raw):
    raw["actions"][0]["model"] = "no.such.model"


def _delete_hook(raw):
    del raw["hooks"]["uninstall_hook"]


def _set_group_name(raw):
    raw["security"]["groups"][0]["name"] = 7


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (_delete("models"), "'models' is missing. Add it as an object."),
        (_delete("name"), "'name' is missing. Add it as a string."),
        (_set("version", ["1", "0"]), "'version' must be a string, not list."),
        (_set("version", "one"), "'version' is 'one'. Use \"1.0.0\""),
        (_set("installable", "yes"), "'installable' must be true or false, not str"),
        (_set("depends", "base"), "'depends' must be a list, not str."),
        (_set("depends", ["base", 3]), "'depends[1]' must be a string."),
        (_set("models", {"segment.header": "Header"}), "'models.segment.header'"),
        (_set("summary", "  "), "'summary' is empty. Give it a value."),
        (_set_menu_action, "points to the action 'missing_action'"),
        (_set_action_model, "names the model 'no.such.model'"),
        (_delete_hook, "'hooks.uninstall_hook' is missing."),
        (_set_group_name, "'security.groups[0].name' must be a string, not int."),
    ],
)
def test_load_manifest_invalid_rejected(tmp_path, change, expected):
    # given
    path = write_manifest(tmp_path, change)

    # when
    with pytest.raises(ManifestError) as error:
        load_manifest(path)

    # then
    assert expected in str(error.value)
    assert str(path) in str(error.value)


def test_load_manifest_missing_data_file_rejected(tmp_path):
    path = write_manifest(tmp_path, _set("data", ["security/none.csv"]))

    with pytest.raises(ManifestError) as error:
        load_manifest(path)

    assert "the file 'security/none.csv' does not exist" in str(error.value)


def test_load_manifest_invalid_json_rejected(tmp_path):
    path = tmp_path / "manifest.json"
    path.write_text('{"name": "Segments",}', encoding="utf-8")

    with pytest.raises(ManifestError) as error:
        load_manifest(path)

    assert "is not valid JSON" in str(error.value)
    assert "line 1" in str(error.value)


def test_load_manifest_missing_file_rejected(tmp_path):
    with pytest.raises(ManifestError) as error:
        load_manifest(tmp_path / "none.json")

    assert "Cannot read the manifest" in str(error.value)

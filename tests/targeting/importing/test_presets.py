import pytest

from targeting.errors import InputError
from targeting.importing.presets import (
    CANONICAL_TARGETS,
    PRESETS,
    ColumnMap,
    ColumnRule,
    header_key,
    load_column_map,
    resolve_column_map,
)


def write(tmp_path, text, name="map.yaml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("yaml_rule", "to", "separator"),
    [
        ("name", ["name"], ";"),
        ("[industry, tags]", ["industry", "tags"], ";"),
        ('{to: tech_stack, separator: ","}', ["tech_stack"], ","),
        ("{to: [industry, tags]}", ["industry", "tags"], ";"),
    ],
)
def test_rule_short_forms(tmp_path, yaml_rule, to, separator):
    loaded = load_column_map(write(tmp_path, f"columns:\n  Source Column: {yaml_rule}\n"))
    assert loaded.columns["Source Column"] == ColumnRule(to=to, separator=separator)


@pytest.mark.parametrize(
    ("text", "line", "field", "value"),
    [
        ("columns:\n  Company Name: name\n  Tags: nme\n", 3, "Tags", "'nme'"),
        ("columns:\n  Tech: {to: tech_stack, sep: ','}\n", 2, "sep", "','"),
        ("columnz:\n  Company Name: name\n", 1, "columnz", None),
        ("columns:\n  A: name\nid_fallback: {column: id, prefix: x-, extra: 1}\n", 3, "extra", "1"),
    ],
)
def test_bad_map_names_file_line_field_and_value(tmp_path, text, line, field, value):
    path = write(tmp_path, text)
    with pytest.raises(InputError) as caught:
        load_column_map(path)
    message = str(caught.value)
    assert f"{path}:{line}" in message
    assert f"field {field!r}" in message
    if value is not None:
        assert value in message


def test_a_numeric_header_is_a_column_name(tmp_path):
    loaded = load_column_map(write(tmp_path, "columns:\n  2024: revenue_usd\n"))
    assert loaded.rules()["2024"].to == ["revenue_usd"]


def test_unknown_key_says_so(tmp_path):
    with pytest.raises(InputError, match="unknown key"):
        load_column_map(write(tmp_path, "columns: {}\nguess: true\n"))


def test_unknown_canonical_name_is_named_in_the_reason(tmp_path):
    with pytest.raises(InputError, match="'tagz' is not a canonical column"):
        load_column_map(write(tmp_path, "columns:\n  Tags: [industry, tagz]\n"))


@pytest.mark.parametrize(
    ("text", "reason"),
    [("columns: [a\n", "not valid YAML"), ("", "empty"), ("- a\n- b\n", "a column map is a mapping")],
)
def test_unusable_map_files(tmp_path, text, reason):
    path = write(tmp_path, text)
    with pytest.raises(InputError, match=reason) as caught:
        load_column_map(path)
    assert str(path) in str(caught.value)


def test_missing_map_file(tmp_path):
    with pytest.raises(InputError, match="not found") as caught:
        load_column_map(tmp_path / "nope.yaml")
    assert "nope.yaml" in str(caught.value)


def test_unknown_preset_names_the_value():
    with pytest.raises(InputError) as caught:
        resolve_column_map("salesloft")
    assert "'salesloft'" in str(caught.value) and "preset" in str(caught.value)


def test_map_file_overrides_and_extends_the_preset(tmp_path):
    path = write(
        tmp_path,
        "columns:\n  Website: null\n  company website: domain\n  Headcount: employees\n"
        "id_fallback: {column: Record, prefix: 'crm-'}\n",
    )
    merged = resolve_column_map("apollo", path)
    rules = merged.rules()
    assert "website" not in rules  # dropped by `null`
    assert rules["company website"].to == ["domain"]
    assert rules["headcount"].to == ["employees"]
    assert rules["technologies"].separator == ","  # the preset's own rules stay
    assert merged.id_fallback.prefix == "crm-"


def test_override_matches_preset_columns_ignoring_case_and_spaces():
    override = ColumnMap(columns={"  company  name ": ColumnRule(to=["name"])})
    merged = PRESETS["clay"].merged(override)
    assert [key for key in merged.columns if header_key(key) == "company name"] == ["  company  name "]


@pytest.mark.parametrize("name", sorted(PRESETS))
def test_every_preset_maps_only_canonical_columns(name):
    targets = {target for rule in PRESETS[name].rules().values() for target in rule.to}
    assert targets and targets <= set(CANONICAL_TARGETS)


def test_only_the_canonical_preset_is_trusted():
    assert [name for name, preset in PRESETS.items() if preset.trusted] == ["canonical"]


@pytest.mark.parametrize(
    ("preset", "header"),
    [
        ("yc", "short_description"),
        ("yc", "long_description"),
        ("apollo", "Short Description"),
        ("hubspot", "Description"),
        ("hubspot", "About Us"),
        ("clay", "Company Description"),
    ],
)
def test_presets_map_the_companys_own_text_to_description(preset, header):
    assert PRESETS[preset].rules()[header_key(header)].to == ["description"]


def test_yc_short_and_long_descriptions_are_both_kept(tmp_path):
    from targeting.importing.canonical import import_accounts

    path = tmp_path / "yc.csv"
    path.write_text(
        "company_id,company_name,short_description,long_description,website\n"
        "1,A,Payroll API,We move money.,https://a.com\n"
        "2,B,,Only long.,https://b.com\n"
        "3,C,,,https://c.com\n"
    )
    imported = import_accounts(path, preset="yc")
    assert imported.accounts.collect()["description"].to_list() == ["Payroll API\nWe move money.", "Only long.", None]
    assert "description" in imported.carried and "pain_points" not in imported.carried

import pytest

from opcert.domain.catalogue import (
    CURRENT_CATALOGUE_VERSION,
    Category,
    Item,
    available_versions,
    catalogue,
)
from opcert.domain.errors import FieldError, NotFound


def test_the_2018_catalogue_has_10_categories_and_54_items():
    cat = catalogue("2018")
    assert [c.code for c in cat.categories] == [str(n) for n in range(1, 11)]
    assert len(cat.items) == 54


def test_each_category_has_the_published_number_of_items():
    cat = catalogue()
    counts = [len(cat.items_in(c.code)) for c in cat.categories]
    assert counts == [6, 3, 2, 2, 10, 8, 1, 1, 16, 5]


def test_item_codes_are_numbered_in_order_within_their_category():
    cat = catalogue()
    for category in cat.categories:
        codes = [i.code for i in cat.items_in(category.code)]
        assert codes == [f"{category.code}.{n}" for n in range(1, len(codes) + 1)]


def test_the_default_catalogue_is_the_current_version_and_loaded_once():
    assert CURRENT_CATALOGUE_VERSION == "2018"
    assert catalogue() is catalogue("2018")
    assert "2018" in available_versions()


@pytest.mark.parametrize(
    ("code", "name"),
    [
        ("1.1", "高压电工作业"),
        ("1.2", "低压电工作业"),
        ("1.6", "电气试验作业"),
        ("3.2", "高处安装、维护、拆除作业"),
        ("5.7", "煤矿采煤机（掘进机）操作作业"),
        ("5.10", "煤矿探放水作业"),
        ("6.2", "尾矿作业"),
        ("7.1", "司钻作业"),
        ("8.1", "煤气作业"),
        ("9.6", "裂解（裂化）工艺作业"),
        ("9.16", "化工自动化控制仪表作业"),
        ("10.5", "烟花爆竹储存作业"),
    ],
)
def test_item_names_are_the_catalogues_chinese_names(code, name):
    assert catalogue().item(code).name_zh == name


def test_category_names_are_the_catalogues_chinese_names():
    names = [c.name_zh for c in catalogue().categories]
    assert names == [
        "电工作业",
        "焊接与热切割作业",
        "高处作业",
        "制冷与空调作业",
        "煤矿安全作业",
        "金属非金属矿山安全作业",
        "石油天然气安全作业",
        "冶金（有色）生产安全作业",
        "危险化学品安全作业",
        "烟花爆竹安全作业",
    ]


def test_every_name_has_an_english_counterpart_and_english_item_names_are_unique():
    cat = catalogue()
    assert all(c.name_en for c in cat.categories)
    assert len({i.name_en for i in cat.items}) == 54


def test_an_item_is_found_by_code_with_its_category():
    cat = catalogue()
    assert cat.item("1.2") == Item("1.2", "1", "低压电工作业", "Low-voltage electrical work")
    assert cat.category_of("9.3") == Category(
        "9", "危险化学品安全作业", "Hazardous chemical safety operations"
    )


def test_an_unknown_item_is_a_field_error_naming_the_code():
    with pytest.raises(FieldError) as caught:
        catalogue().item("1.7")
    error = caught.value
    assert (error.field, error.code) == ("item", "ITEM_UNKNOWN")
    assert "1.7" in error.message_zh
    assert "1.7" in error.message_en


def test_the_caller_chooses_the_field_an_unknown_item_is_reported_on():
    with pytest.raises(FieldError) as caught:
        catalogue().item("x", field="items[3].code")
    assert caught.value.field == "items[3].code"


def test_category_11_other_operations_is_not_an_item_or_category():
    with pytest.raises(FieldError) as caught:
        catalogue().category("11")
    assert caught.value.code == "CATEGORY_UNKNOWN"
    with pytest.raises(FieldError):
        catalogue().item("11.1")


def test_items_of_an_unknown_category_is_a_field_error():
    with pytest.raises(FieldError):
        catalogue().items_in("12")


@pytest.mark.parametrize("version", ["2026", "../catalogue-2018", ""])
def test_an_unknown_catalogue_version_is_not_found(version):
    with pytest.raises(NotFound) as caught:
        catalogue(version)
    assert caught.value.code == "CATALOGUE_UNKNOWN"
